<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * Input the hub would refuse, found before anything was sent: an invalid address, headers that are
 * not strings, a body that cannot be JSON, a malformed base URL or option.
 */
final class InvalidArgumentException extends \InvalidArgumentException implements EventHubException
{
}
