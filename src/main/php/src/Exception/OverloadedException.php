<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * 503 `overloaded`: the hub is behind with its deliveries and published nothing of the request. The
 * client has already retried as its `retries` option allows; `getRetryAfter()` says when the hub
 * suggested trying again.
 */
final class OverloadedException extends HubException
{
    public function __construct(string $message, string $hubMessage, private readonly int $retryAfter)
    {
        parent::__construct($message, 503, 'overloaded', $hubMessage);
    }

    /** Seconds the hub asked to wait (its Retry-After header). */
    public function getRetryAfter(): int
    {
        return $this->retryAfter;
    }
}
