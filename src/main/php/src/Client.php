<?php

declare(strict_types=1);

namespace EventHub;

use EventHub\Exception\InvalidArgumentException;
use EventHub\Exception\OverloadedException;

/**
 * A back end's way into the hub: publishes events through `POST /api/publish`, ends login sessions
 * at logout, and reads history and presence. Every failure is an exception that says what happened
 * (see EventHub\Exception), never a `false`. One instance keeps its HTTP connection open across
 * calls, so a back end that publishes often should keep one around.
 *
 * Options: `timeout` (seconds for a whole request, default 5), `connectTimeout` (2), `retries`
 * (how often a publish refused with 503 `overloaded` is sent again after the Retry-After the hub
 * names, default 2), `maxRetryWait` (the longest Retry-After waited for, seconds, default 10; a
 * longer one is thrown at once), `revocationAddress` (the hub's `auth.revocationAddress`,
 * default `hub.session.revoked`), `userAgent`.
 */
final class Client
{
    /** The hub's limit on an address, in UTF-16 code units as the hub (Java) counts them. */
    public const MAX_ADDRESS_LENGTH = 256;

    private const DEFAULTS = [
        'timeout' => 5.0,
        'connectTimeout' => 2.0,
        'retries' => 2,
        'maxRetryWait' => 10.0,
        'revocationAddress' => 'hub.session.revoked',
        'userAgent' => 'event-hub-php/1.0',
    ];

    private readonly string $baseUrl;
    /**
     * @var array{timeout: float, connectTimeout: float, retries: int, maxRetryWait: float,
     *     revocationAddress: string, userAgent: string}
     */
    private readonly array $options;
    private readonly HttpTransport $http;

    /**
     * @param string $baseUrl the hub's own URL, as the back end reaches it (not through Apache, which
     *                        does not proxy /api), e.g. `http://127.0.0.1:8080`
     * @param string $token   the hub's `publish.token`
     * @param array<string, mixed> $options see the class comment
     */
    public function __construct(string $baseUrl, string $token, array $options = [])
    {
        $parts = parse_url($baseUrl);
        if (
            $parts === false || !isset($parts['scheme'], $parts['host'])
            || !in_array(strtolower($parts['scheme']), ['http', 'https'], true)
            || isset($parts['query']) || isset($parts['fragment'])
        ) {
            throw new InvalidArgumentException(sprintf(
                'hub base URL "%s" is not an http(s) URL such as http://127.0.0.1:8080',
                $baseUrl,
            ));
        }
        if (trim($token) === '' || preg_match('/[\x00-\x20\x7f]/', $token) === 1) {
            throw new InvalidArgumentException(
                'the publish token is empty or contains spaces or control characters: pass the hub\'s publish.token',
            );
        }
        $this->baseUrl = rtrim($baseUrl, '/');
        $this->options = self::checkedOptions(Options::withDefaults($options, self::DEFAULTS));
        $this->http = new HttpTransport($this->baseUrl, $token, $this->options);
    }

    /**
     * Publishes one event to every subscriber of `$address`.
     *
     * @param mixed $body anything json_encode takes (arrays, scalars, JsonSerializable)
     * @param array<string, string> $headers
     * @return array<string, mixed> the hub's answer, e.g. `['accepted' => 1]` (with history: `position`)
     */
    public function publish(string $address, mixed $body = null, array $headers = []): array
    {
        $event = ['address' => $address, 'body' => $body, 'headers' => $headers];
        return $this->send('POST', '/api/publish', $this->event($event, ''));
    }

    /**
     * Publishes several events in one request. The hub checks the whole batch before publishing any
     * of it: one bad event publishes nothing.
     *
     * @param list<array{address: string, body?: mixed, headers?: array<string, string>}> $events
     * @return array<string, mixed> the hub's answer, e.g. `['accepted' => 3]`
     */
    public function publishBatch(array $events): array
    {
        if ($events === [] || !array_is_list($events)) {
            throw new InvalidArgumentException('publishBatch takes a non-empty list of events');
        }
        $batch = [];
        foreach ($events as $i => $event) {
            if (!is_array($event)) {
                throw new InvalidArgumentException(
                    sprintf('event [%d] is not an array with address, body, headers', $i),
                );
            }
            $batch[] = $this->event($event, "[$i].");
        }
        return $this->send('POST', '/api/publish', $batch);
    }

    /**
     * Ends a login session on the hub (logout): its connections are closed at once with 4401, and
     * the id is refused for a while even before its row is deleted.
     */
    public function revokeSession(string $sessionId): void
    {
        if ($sessionId === '' || strlen($sessionId) > 256 || preg_match('/[\x00-\x20\x7f]/', $sessionId) === 1) {
            throw new InvalidArgumentException(
                'session id to revoke is empty, longer than 256 bytes or has spaces or control characters',
            );
        }
        $this->publish($this->options['revocationAddress'], $sessionId);
    }

    /**
     * The history of a stream address: events after position `$since` (all that are kept without
     * it; at most `$limit`). Throws HistoryUnavailableException when `$since` can no longer be served.
     *
     * @return array{address: string, position: string,
     *     events: list<array{position: string, body: mixed, headers: array<string, string>}>}
     */
    public function history(string $address, ?string $since = null, ?int $limit = null): array
    {
        self::checkAddress($address, '');
        $query = ['address' => $address];
        if ($since !== null) {
            if (preg_match('/^[^:\s]+:\d+$/', $since) !== 1) {
                throw new InvalidArgumentException(sprintf('since "%s" is not a position EPOCH:OFFSET', $since));
            }
            $query['since'] = $since;
        }
        if ($limit !== null) {
            if ($limit < 1) {
                throw new InvalidArgumentException("limit must be at least 1, got $limit");
            }
            $query['limit'] = $limit;
        }
        return $this->send('GET', '/api/history?' . http_build_query($query), null);
    }

    /**
     * Who is subscribed to an address the hub tracks (its presence.patterns), across the cluster: the
     * connections, and the users with theirs (none listed, and countsOnly true, past presence.maxUsers).
     * An address that is not tracked: UnexpectedResponseException 404 not_tracked.
     *
     * @return array{address: string, connections: int, userCount: int,
     *     users: list<array{userId: string, connections: int}>, countsOnly?: bool}
     */
    public function presence(string $address): array
    {
        self::checkAddress($address, '');
        return $this->send('GET', '/api/presence?' . http_build_query(['address' => $address]), null);
    }

    /** Sends, and again after the hub's Retry-After while it is overloaded and retries are left. */
    private function send(string $method, string $path, ?array $payload): array
    {
        $json = null;
        if ($payload !== null) {
            try {
                $json = json_encode(
                    $payload,
                    JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION,
                );
            } catch (\JsonException $e) {
                throw new InvalidArgumentException('the event cannot be encoded as JSON: ' . $e->getMessage(), 0, $e);
            }
        }
        $waited = 0.0;
        for ($attempt = 1;; $attempt++) {
            try {
                return $this->http->request($method, $path, $json);
            } catch (OverloadedException $e) {
                $wait = $e->getRetryAfter();
                if ($attempt > $this->options['retries'] || $wait > $this->options['maxRetryWait']) {
                    throw new OverloadedException(sprintf(
                        '%s %s: the hub is overloaded and published nothing'
                        . ' (%d attempt(s), %.1f s waited, Retry-After %d s): %s',
                        $method,
                        strtok($path, '?'),
                        $attempt,
                        $waited,
                        $wait,
                        $e->getHubMessage(),
                    ), $e->getHubMessage(), $wait);
                }
                usleep((int) ($wait * 1_000_000));
                $waited += $wait;
            }
        }
    }

    /** @return array{address: string, body: mixed, headers?: array<string, string>} */
    private function event(array $event, string $where): array
    {
        $unknown = array_diff(array_keys($event), ['address', 'body', 'headers']);
        if ($unknown !== []) {
            throw new InvalidArgumentException(sprintf(
                '%s%s is not a field of an event (address, body, headers)',
                $where,
                implode(', ', $unknown),
            ));
        }
        if (!isset($event['address']) || !is_string($event['address'])) {
            throw new InvalidArgumentException($where . 'address is missing or not a string');
        }
        self::checkAddress($event['address'], $where);
        $out = ['address' => $event['address'], 'body' => $event['body'] ?? null];
        $headers = $event['headers'] ?? [];
        if (!is_array($headers)) {
            throw new InvalidArgumentException($where . 'headers must be an array of name => string');
        }
        foreach ($headers as $name => $value) {
            if (!is_string($name) || $name === '') {
                throw new InvalidArgumentException(
                    sprintf('%sheaders: name %s is not a non-empty string', $where, var_export($name, true)),
                );
            }
            if (!is_string($value)) {
                throw new InvalidArgumentException(
                    sprintf('%sheaders.%s must be a string, got %s', $where, $name, get_debug_type($value)),
                );
            }
        }
        if ($headers !== []) {
            $out['headers'] = $headers;
        }
        return $out;
    }

    private static function checkAddress(string $address, string $where): void
    {
        if ($address === '') {
            throw new InvalidArgumentException($where . 'address is empty');
        }
        if (preg_match('//u', $address) !== 1) {
            throw new InvalidArgumentException($where . 'address is not valid UTF-8');
        }
        if (preg_match('/[\x00-\x1f\x7f]/', $address) === 1) {
            throw new InvalidArgumentException(
                sprintf('%saddress %s contains control characters', $where, json_encode($address)),
            );
        }
        // Java counts UTF-16 code units: characters beyond the BMP count twice.
        $length = preg_match_all('/./su', $address) + preg_match_all('/[\x{10000}-\x{10FFFF}]/u', $address);
        if ($length > self::MAX_ADDRESS_LENGTH) {
            throw new InvalidArgumentException(sprintf(
                '%saddress is %d characters long; the hub takes at most %d',
                $where,
                $length,
                self::MAX_ADDRESS_LENGTH,
            ));
        }
    }

    private static function checkedOptions(array $options): array
    {
        foreach (['timeout', 'connectTimeout', 'maxRetryWait'] as $name) {
            if (!is_int($options[$name]) && !is_float($options[$name]) || $options[$name] <= 0) {
                throw new InvalidArgumentException("option $name must be a positive number of seconds");
            }
            $options[$name] = (float) $options[$name];
        }
        if (!is_int($options['retries']) || $options['retries'] < 0 || $options['retries'] > 10) {
            throw new InvalidArgumentException('option retries must be an integer from 0 to 10');
        }
        foreach (['revocationAddress', 'userAgent'] as $name) {
            if (!is_string($options[$name]) || $options[$name] === '') {
                throw new InvalidArgumentException("option $name must be a non-empty string");
            }
        }
        self::checkAddress($options['revocationAddress'], 'option revocationAddress: ');
        return $options;
    }
}
