<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * 400 `invalid_json`, `missing_address` or `invalid_event`: the hub refused the event (or the whole
 * batch) as malformed.
 */
final class InvalidEventException extends HubException
{
}
