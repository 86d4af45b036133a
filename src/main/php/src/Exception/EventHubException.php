<?php

declare(strict_types=1);

namespace EventHub\Exception;

/**
 * Implemented by every exception this library throws, so that `catch (EventHubException $e)` takes
 * them all: bad input found before anything was sent, an unreachable hub, or a refusal by the hub.
 */
interface EventHubException extends \Throwable
{
}
