<?php

declare(strict_types=1);

namespace EventHub\Tests\Laravel;

use Illuminate\Broadcasting\Channel;
use Illuminate\Broadcasting\PrivateChannel;
use Illuminate\Contracts\Broadcasting\ShouldBroadcastNow;

/** As an application would write it. */
final class OrderShipped implements ShouldBroadcastNow
{
    public function __construct(public int $orderId, public int $userId)
    {
    }

    public function broadcastOn(): array
    {
        return [new Channel('orders'), new PrivateChannel('user.' . $this->userId . '.orders')];
    }

    public function broadcastAs(): string
    {
        return 'OrderShipped';
    }
}
