<?php

declare(strict_types=1);

namespace App\Events;

use Illuminate\Broadcasting\PrivateChannel;
use Illuminate\Contracts\Broadcasting\ShouldBroadcastNow;

/** Broadcast at once (no queue worker in the test): to the user's private channel, user.{id}.orders. */
final class OrderShipped implements ShouldBroadcastNow
{
    public function __construct(public int $userId, public string $text)
    {
    }

    public function broadcastOn(): PrivateChannel
    {
        return new PrivateChannel('user.' . $this->userId . '.orders');
    }

    public function broadcastAs(): string
    {
        return 'OrderShipped';
    }
}
