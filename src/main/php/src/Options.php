<?php

declare(strict_types=1);

namespace EventHub;

use EventHub\Exception\InvalidArgumentException;

/**
 * The option arrays of the library's classes: an unknown key is an error (a typo must not fall back
 * to a default unnoticed), and what is not given takes its default.
 *
 * @internal
 */
final class Options
{
    /**
     * @param array<string, mixed> $given
     * @param array<string, mixed> $defaults
     * @return array<string, mixed>
     */
    public static function withDefaults(array $given, array $defaults): array
    {
        $unknown = array_diff(array_keys($given), array_keys($defaults));
        if ($unknown !== []) {
            throw new InvalidArgumentException(sprintf(
                'unknown option(s) %s; known: %s',
                implode(', ', $unknown),
                implode(', ', array_keys($defaults)),
            ));
        }
        return $given + $defaults;
    }
}
