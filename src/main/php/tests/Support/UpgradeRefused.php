<?php

declare(strict_types=1);

namespace EventHub\Tests\Support;

/** The hub answered a WebSocket upgrade with an HTTP status (401, 403, 503...). */
final class UpgradeRefused extends \RuntimeException
{
    public function __construct(public readonly int $status, public readonly string $body)
    {
        parent::__construct("upgrade refused with $status: $body");
    }
}
