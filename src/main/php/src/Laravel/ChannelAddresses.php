<?php

declare(strict_types=1);

namespace EventHub\Laravel;

use EventHub\Exception\InvalidArgumentException;

/**
 * Turns Laravel channel names into hub addresses by rules `pattern => address template`, the first
 * matching pattern winning; `{name}` in a pattern matches any text, and the template uses it. The
 * hub, not Laravel's channel callbacks, decides who may subscribe to an address (its
 * `bridge.permissions`, e.g. `user.{userId}.*`), so private channels should map to addresses such a
 * permission protects.
 */
final class ChannelAddresses
{
    /**
     * Laravel's per-user channel (notifications) becomes `user.7.notifications`; otherwise a
     * channel's name without Laravel's `private-`/`presence-` prefix is the address.
     */
    public const DEFAULT_RULES = [
        'private-App.Models.User.{id}' => 'user.{id}.notifications',
        'private-{channel}' => '{channel}',
        'presence-{channel}' => '{channel}',
        '{channel}' => '{channel}',
    ];

    /** @var list<array{string, string}> regular expression, address template */
    private array $rules = [];

    /** @param array<string, string> $rules pattern => address template */
    public function __construct(array $rules = self::DEFAULT_RULES)
    {
        foreach ($rules as $pattern => $template) {
            if (!is_string($pattern) || $pattern === '' || !is_string($template) || $template === '') {
                throw new InvalidArgumentException(
                    'channel rules map a channel pattern to an address template, both non-empty strings',
                );
            }
            preg_match_all('/\{(\w+)\}/', $pattern, $names);
            preg_match_all('/\{(\w+)\}/', $template, $used);
            $missing = array_diff($used[1], $names[1]);
            if ($missing !== []) {
                throw new InvalidArgumentException(sprintf(
                    'address template "%s" uses {%s}, which pattern "%s" does not capture',
                    $template,
                    implode('}, {', $missing),
                    $pattern,
                ));
            }
            $regex = preg_replace_callback(
                '/\\\\\{(\w+)\\\\\}|[^\\\\{]+|\\\\./',
                static fn (array $m): string => isset($m[1]) && $m[1] !== '' ? "(?P<$m[1]>.+?)" : $m[0],
                preg_quote($pattern, '/'),
            );
            $this->rules[] = ['/^' . $regex . '$/s', $template];
        }
    }

    /** The hub address for a channel name (as Laravel formats it: `private-orders.7`). */
    public function address(string $channel): string
    {
        if (str_starts_with($channel, 'private-encrypted-')) {
            throw new InvalidArgumentException(
                "channel $channel: encrypted channels are Pusher's end-to-end encryption, which the hub does not do",
            );
        }
        foreach ($this->rules as [$regex, $template]) {
            if (preg_match($regex, $channel, $match) === 1) {
                $values = [];
                foreach ($match as $name => $value) {
                    if (is_string($name)) {
                        $values['{' . $name . '}'] = $value;
                    }
                }
                return strtr($template, $values);
            }
        }
        throw new InvalidArgumentException("channel $channel matches no rule of the event-hub connection's channels");
    }
}
