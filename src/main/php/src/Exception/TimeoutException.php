<?php

declare(strict_types=1);

namespace EventHub\Exception;

/** The hub did not answer within the configured timeout. */
final class TimeoutException extends ConnectionException
{
}
