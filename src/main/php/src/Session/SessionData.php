<?php

declare(strict_types=1);

namespace EventHub\Session;

use EventHub\Exception\InvalidArgumentException;

/**
 * Reads the session data PHP hands a save handler, in the two formats the hub reads too:
 * `php` (`name|serialized name|serialized ...`, PHP's default `session.serialize_handler`) and
 * `php_serialize` (one serialized array). Objects are never instantiated.
 */
final class SessionData
{
    /** @return array<string, mixed> the session's variables */
    public static function decode(string $data, string $format): array
    {
        if ($data === '') {
            return [];
        }
        if ($format === 'php_serialize') {
            $vars = self::unserialize($data);
            if (!is_array($vars)) {
                throw new \UnexpectedValueException('php_serialize session data is not an array');
            }
            return $vars;
        }
        if ($format !== 'php') {
            throw new InvalidArgumentException(sprintf(
                'session.serialize_handler "%s" is not one the hub reads: use php or php_serialize',
                $format,
            ));
        }
        $vars = [];
        $pos = 0;
        $length = strlen($data);
        while ($pos < $length) {
            $bar = strpos($data, '|', $pos);
            if ($bar === false) {
                throw new \UnexpectedValueException("session data has no '|' after byte $pos");
            }
            $name = substr($data, $pos, $bar - $pos);
            $end = self::valueEnd($data, $bar + 1);
            $vars[$name] = self::unserialize(substr($data, $bar + 1, $end - $bar - 1));
            $pos = $end;
        }
        return $vars;
    }

    /** Follows a dotted path (`_sf2_attributes.user_id`) through nested arrays; null if absent. */
    public static function lookup(array $vars, string $path): mixed
    {
        $node = $vars;
        foreach (explode('.', $path) as $key) {
            if (!is_array($node) || !array_key_exists($key, $node)) {
                return null;
            }
            $node = $node[$key];
        }
        return $node;
    }

    private static function unserialize(string $value): mixed
    {
        if ($value === 'b:0;') {
            return false;
        }
        $result = @unserialize($value, ['allowed_classes' => false]);
        if ($result === false) {
            throw new \UnexpectedValueException(
                'session data holds a value that does not unserialize: ' . substr($value, 0, 40),
            );
        }
        return $result;
    }

    /** The offset just past the serialized value that starts at `$pos`. */
    private static function valueEnd(string $data, int $pos): int
    {
        $type = $data[$pos] ?? '';
        switch ($type) {
            case 'N':
                return $pos + 2;
            case 'b':
            case 'i':
            case 'd':
            case 'r':
            case 'R':
                return self::after($data, ';', $pos);
            case 's':
            case 'E':
                $colon = self::after($data, ':', $pos + 2);
                $len = (int) substr($data, $pos + 2, $colon - $pos - 3);
                return $colon + 1 + $len + 2; // "...";
            case 'a':
                $colon = self::after($data, ':', $pos + 2);
                return self::entriesEnd($data, $colon, 2 * (int) substr($data, $pos + 2, $colon - $pos - 3));
            case 'O':
            case 'C':
                $colon = self::after($data, ':', $pos + 2);
                $classEnd = $colon + 1 + (int) substr($data, $pos + 2, $colon - $pos - 3) + 2; // "Name":
                $countEnd = self::after($data, ':', $classEnd);
                $count = (int) substr($data, $classEnd, $countEnd - $classEnd - 1);
                if ($type === 'C') { // Serializable: an opaque string of $count bytes in braces
                    return $countEnd + 1 + $count + 1;
                }
                return self::entriesEnd($data, $countEnd, 2 * $count);
            default:
                throw new \UnexpectedValueException(
                    "unexpected serialized type '$type' at byte $pos of the session data",
                );
        }
    }

    /** After `{`, `$values` serialized values, then `}`. */
    private static function entriesEnd(string $data, int $brace, int $values): int
    {
        $pos = $brace + 1;
        for ($i = 0; $i < $values; $i++) {
            $pos = self::valueEnd($data, $pos);
        }
        if (($data[$pos] ?? '') !== '}') {
            throw new \UnexpectedValueException("expected '}' at byte $pos of the session data");
        }
        return $pos + 1;
    }

    private static function after(string $data, string $char, int $from): int
    {
        $at = strpos($data, $char, $from);
        if ($at === false) {
            throw new \UnexpectedValueException("expected '$char' after byte $from of the session data");
        }
        return $at + 1;
    }
}
