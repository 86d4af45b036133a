<?php

declare(strict_types=1);

namespace EventHub\Tests\Support;

use EventHub\Client;
use PHPUnit\Framework\Assert;

/**
 * The real hub and database the tests run against, named by the Java test that starts them
 * (io.eventhub.php.PhpLibraryTest): EVENTHUB_TEST_URL, _TOKEN, _DB_DSN, _DB_USER, _DB_PASSWORD. The
 * hub uses the `plain` session preset on that database, lets a user subscribe to `user.{userId}.*`
 * and anyone to `demo.*`, and takes `OVERLOAD_ADDRESS` (a test hook) as an order to report a
 * delivery lag of the published number of milliseconds.
 */
final class Hub
{
    public const OVERLOAD_ADDRESS = 'test.php.overload';
    /** An address nobody may subscribe to: its access_denied tells that earlier registers are done. */
    public const FORBIDDEN = 'forbidden.sync';

    private static ?\PDO $pdo = null;

    public static function env(string $name): string
    {
        $value = getenv('EVENTHUB_TEST_' . $name);
        if ($value === false) {
            Assert::fail("EVENTHUB_TEST_$name is not set: these tests run against a real hub, started by mvn verify (PhpLibraryTest)");
        }
        return $value;
    }

    public static function url(): string
    {
        return self::env('URL');
    }

    /** @param array<string, mixed> $options */
    public static function client(array $options = []): Client
    {
        return new Client(self::url(), self::env('TOKEN'), $options);
    }

    public static function pdo(): \PDO
    {
        return self::$pdo ??= self::newPdo();
    }

    /** A connection of its own (a handler holds its session lock per connection, as each request would). */
    public static function newPdo(): \PDO
    {
        return new \PDO(self::env('DB_DSN'), self::env('DB_USER'), self::env('DB_PASSWORD'), [
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
        ]);
    }

    /** A fresh session id of PHP's kind. */
    public static function sessionId(): string
    {
        return bin2hex(random_bytes(16));
    }

    /** A logged-in browser's raw WebSocket with the session cookie; fails the test if refused. */
    public static function browser(string $sessionId, string $cookie = 'PHPSESSID'): WebSocket
    {
        return WebSocket::connect(self::url() . '/eventbus/websocket', ['Cookie' => "$cookie=$sessionId"]);
    }

    /** Registers for the addresses and returns once the hub has taken the registrations. */
    public static function subscribe(WebSocket $socket, string ...$addresses): void
    {
        foreach ($addresses as $address) {
            $socket->send(['type' => 'register', 'address' => $address]);
        }
        $socket->send(['type' => 'register', 'address' => self::FORBIDDEN]);
        $err = $socket->nextMessage();
        Assert::assertSame(
            ['err', 'access_denied', self::FORBIDDEN],
            [$err['type'] ?? null, $err['body'] ?? null, $err['address'] ?? null],
            'an address before the sync was refused: ' . json_encode($err),
        );
    }

    /** Runs tests/Support/session-request.php, one PHP "request" on a session. */
    public static function request(array $plan): SessionRequest
    {
        $plan += [
            'dsn' => self::env('DB_DSN'),
            'user' => self::env('DB_USER'),
            'password' => self::env('DB_PASSWORD'),
            'hub' => ['url' => self::url(), 'token' => self::env('TOKEN')],
        ];
        return new SessionRequest($plan);
    }
}
