<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * An answer the client does not know: another status, a body that is not the hub's JSON (a proxy's
 * error page), or a path this hub does not have (an older hub).
 */
final class UnexpectedResponseException extends HubException
{
}
