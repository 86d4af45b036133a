<?php

declare(strict_types=1);

namespace EventHub;

use EventHub\Exception\AuthenticationException;
use EventHub\Exception\BodyTooLargeException;
use EventHub\Exception\ConnectionException;
use EventHub\Exception\HistoryUnavailableException;
use EventHub\Exception\HubException;
use EventHub\Exception\InvalidEventException;
use EventHub\Exception\OverloadedException;
use EventHub\Exception\TimeoutException;
use EventHub\Exception\UnavailableException;
use EventHub\Exception\UnexpectedResponseException;

/**
 * One request to the hub's HTTP API over curl, its answer turned into an array or into the exception
 * for the hub's error code. Keeps one curl handle, so consecutive requests reuse the connection.
 *
 * @internal used by Client
 */
final class HttpTransport
{
    private ?\CurlHandle $curl = null;

    /** @param array{timeout: float, connectTimeout: float, userAgent: string} $options */
    public function __construct(
        private readonly string $baseUrl,
        private readonly string $token,
        private readonly array $options,
    ) {
    }

    /** @return array<mixed> the decoded JSON answer of a 2xx response */
    public function request(string $method, string $path, ?string $json): array
    {
        $url = $this->baseUrl . $path;
        $curl = $this->curl ??= curl_init();
        curl_reset($curl);
        $headers = [];
        $requestHeaders = [
            'Authorization: Bearer ' . $this->token,
            'Accept: application/json',
            // Without it curl asks "100-continue" for bodies over 1 KB and waits for the answer.
            'Expect:',
        ];
        if ($json !== null) {
            $requestHeaders[] = 'Content-Type: application/json';
        }
        curl_setopt_array($curl, [
            CURLOPT_URL => $url,
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => $requestHeaders,
            CURLOPT_USERAGENT => $this->options['userAgent'],
            CURLOPT_TIMEOUT_MS => (int) ($this->options['timeout'] * 1000),
            CURLOPT_CONNECTTIMEOUT_MS => (int) ($this->options['connectTimeout'] * 1000),
            CURLOPT_NOSIGNAL => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$headers): int {
                $colon = strpos($line, ':');
                if ($colon !== false) {
                    $headers[strtolower(trim(substr($line, 0, $colon)))] = trim(substr($line, $colon + 1));
                }
                return strlen($line);
            },
        ]);
        if ($json !== null) {
            curl_setopt($curl, CURLOPT_POSTFIELDS, $json);
        }
        $body = curl_exec($curl);
        if ($body === false) {
            $errno = curl_errno($curl);
            $error = curl_error($curl);
            if ($errno === CURLE_OPERATION_TIMEDOUT) {
                throw new TimeoutException(sprintf(
                    '%s %s: no answer from the hub within %.1f s (%s);'
                    . ' the request may or may not have been carried out',
                    $method,
                    $url,
                    $this->options['timeout'],
                    $error,
                ), $errno);
            }
            throw new ConnectionException(
                sprintf('%s %s: could not reach the hub: %s (curl error %d)', $method, $url, $error, $errno),
                $errno,
            );
        }
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $decoded = json_decode((string) $body, true);
        if ($status >= 200 && $status < 300) {
            if (!is_array($decoded)) {
                throw new UnexpectedResponseException(
                    sprintf(
                        '%s %s: the hub answered %d with a body that is not JSON: %s',
                        $method,
                        $url,
                        $status,
                        self::excerpt((string) $body),
                    ),
                    $status,
                    'unexpected_response',
                );
            }
            return $decoded;
        }
        throw self::refusal($method, $url, $status, is_array($decoded) ? $decoded : null, (string) $body, $headers);
    }

    /** @param array<string, string> $headers */
    private static function refusal(
        string $method,
        string $url,
        int $status,
        ?array $error,
        string $body,
        array $headers,
    ): HubException {
        $code = is_string($error['error'] ?? null) ? $error['error'] : '';
        $hubMessage = is_string($error['message'] ?? null) ? $error['message'] : '';
        if ($code === '') {
            return new UnexpectedResponseException(sprintf(
                '%s %s: answered %d without the hub\'s JSON error%s: %s',
                $method,
                $url,
                $status,
                $status === 404
                    ? ' (a hub without this API, i.e. an older version, or a wrong base URL?)'
                    : ' (not the hub, or a proxy in between?)',
                self::excerpt($body),
            ), $status, 'unexpected_response');
        }
        $reason = $hubMessage === '' ? '' : ": $hubMessage";
        $message = sprintf('%s %s: the hub refused with %d %s%s', $method, $url, $status, $code, $reason);
        return match (true) {
            $status === 401 => new AuthenticationException(
                $message . ' (check the token against the hub\'s publish.token)',
                $status,
                $code,
                $hubMessage,
            ),
            $status === 413 => new BodyTooLargeException($message, $status, $code, $hubMessage),
            $status === 400 => new InvalidEventException($message, $status, $code, $hubMessage),
            $status === 503 && $code === 'overloaded' => new OverloadedException(
                $message,
                $hubMessage,
                self::retryAfter($headers['retry-after'] ?? null),
            ),
            $status === 503 => new UnavailableException($message, $status, $code, $hubMessage),
            $status === 410 && $code === 'history_unavailable' => new HistoryUnavailableException(
                $message,
                $hubMessage,
                is_string($error['position'] ?? null) ? $error['position'] : null,
            ),
            default => new UnexpectedResponseException($message, $status, $code, $hubMessage),
        };
    }

    /** Retry-After in seconds: delta-seconds or an HTTP date; 1 when absent or unreadable. */
    private static function retryAfter(?string $value): int
    {
        if ($value === null || $value === '') {
            return 1;
        }
        if (ctype_digit($value)) {
            return (int) $value;
        }
        $at = strtotime($value);
        return $at === false ? 1 : max(0, $at - time());
    }

    private static function excerpt(string $body): string
    {
        $body = trim(preg_replace('/\s+/', ' ', $body) ?? '');
        return $body === '' ? '(empty)' : (strlen($body) > 200 ? substr($body, 0, 200) . '...' : $body);
    }
}
