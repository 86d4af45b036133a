<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * 410 `history_unavailable`: the position asked for is of another epoch or already trimmed; what
 * happened since cannot be replayed. `getPosition()` is the stream's current position.
 */
final class HistoryUnavailableException extends HubException
{
    public function __construct(string $message, string $hubMessage, private readonly ?string $position)
    {
        parent::__construct($message, 410, 'history_unavailable', $hubMessage);
    }

    public function getPosition(): ?string
    {
        return $this->position;
    }
}
