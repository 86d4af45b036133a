<?php

declare(strict_types=1);

namespace EventHub\Exception;

/** 413 `body_too_large`: the request was larger than the hub's `publish.maxBodyBytes`. */
final class BodyTooLargeException extends HubException
{
}
