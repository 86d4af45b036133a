<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * The hub could not be reached, or did not answer within the timeout. After a timeout the event may
 * or may not have been published: the request had been sent.
 */
class ConnectionException extends \RuntimeException implements EventHubException
{
    public function __construct(string $message, private readonly int $curlError = 0)
    {
        parent::__construct($message);
    }

    /** curl's error number (CURLE_*), 0 when not from curl. */
    public function getCurlError(): int
    {
        return $this->curlError;
    }
}
