<?php

declare(strict_types=1);

namespace EventHub\Exception;

/** 503 other than `overloaded`: the hub is draining or otherwise not taking requests; another instance may. */
final class UnavailableException extends HubException
{
}
