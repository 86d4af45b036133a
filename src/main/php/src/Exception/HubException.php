<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * The hub answered with an error: its HTTP status, its error code (`{"error": CODE}`) and its own
 * explanation. Subclasses name the codes an application may want to handle on their own.
 */
class HubException extends \RuntimeException implements EventHubException
{
    public function __construct(
        string $message,
        private readonly int $status,
        private readonly string $errorCode,
        private readonly string $hubMessage = '',
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $status, $previous);
    }

    /** The HTTP status the hub answered with. */
    public function getStatus(): int
    {
        return $this->status;
    }

    /** The hub's error code, e.g. `unauthenticated`, `invalid_event`, `overloaded`. */
    public function getErrorCode(): string
    {
        return $this->errorCode;
    }

    /** The hub's own explanation (its `message` field), possibly empty. */
    public function getHubMessage(): string
    {
        return $this->hubMessage;
    }
}
