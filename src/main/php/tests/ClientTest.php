<?php

declare(strict_types=1);

namespace EventHub\Tests;

use EventHub\Client;
use EventHub\Exception\AuthenticationException;
use EventHub\Exception\BodyTooLargeException;
use EventHub\Exception\ConnectionException;
use EventHub\Exception\EventHubException;
use EventHub\Exception\HistoryUnavailableException;
use EventHub\Exception\InvalidArgumentException;
use EventHub\Exception\InvalidEventException;
use EventHub\Exception\OverloadedException;
use EventHub\Exception\TimeoutException;
use EventHub\Exception\UnexpectedResponseException;
use EventHub\Tests\Support\Hub;
use EventHub\Tests\Support\UpgradeRefused;
use PHPUnit\Framework\TestCase;

/** EventHub\Client against the real hub: what it publishes arrives, and every refusal is an exception that says why. */
final class ClientTest extends TestCase
{
    private static string $session;

    public static function setUpBeforeClass(): void
    {
        // A logged-in user 7, stored the way the library stores sessions.
        self::$session = Hub::sessionId();
        $done = Hub::request(['id' => self::$session, 'set' => ['user_id' => 7]])->finish();
        self::assertArrayHasKey('done', $done, json_encode($done));
    }

    public function testPublishReachesASubscribedBrowserWithBodyAndHeaders(): void
    {
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'user.7.orders');

        $order = ['order' => 42, 'status' => 'shipped', 'price' => 9.0];
        $answer = Hub::client()->publish('user.7.orders', $order, ['kind' => 'order']);

        self::assertSame(1, $answer['accepted']);
        $message = $browser->nextMessage();
        self::assertSame('rec', $message['type']);
        self::assertSame('user.7.orders', $message['address']);
        self::assertSame($order, $message['body']);
        self::assertSame('order', $message['headers']['kind']);
    }

    public function testPublishBatchDeliversEveryEventInOrder(): void
    {
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'demo.batch', 'user.7.batch');

        $answer = Hub::client()->publishBatch([
            ['address' => 'demo.batch', 'body' => 'first'],
            ['address' => 'user.7.batch', 'body' => 'second', 'headers' => ['n' => '2']],
            ['address' => 'demo.batch', 'body' => 'third'],
        ]);

        self::assertSame(3, $answer['accepted']);
        $received = [];
        for ($i = 0; $i < 3; $i++) {
            $message = $browser->nextMessage();
            $received[$message['address']][] = $message['body'];
        }
        // In order per address; two addresses have no order between them.
        self::assertSame(['demo.batch' => ['first', 'third'], 'user.7.batch' => ['second']], self::sortedByKey($received));
    }

    private static function sortedByKey(array $map): array
    {
        ksort($map);
        return $map;
    }

    public function testWrongTokenIsAnAuthenticationException(): void
    {
        $client = new Client(Hub::url(), 'not-the-token');
        try {
            $client->publish('demo.news', 'x');
            self::fail('a wrong token was accepted');
        } catch (AuthenticationException $e) {
            self::assertSame(401, $e->getStatus());
            self::assertSame('unauthenticated', $e->getErrorCode());
            self::assertStringContainsString('wrong bearer token', $e->getMessage());
            self::assertStringContainsString('publish.token', $e->getMessage());
        }
    }

    public function testUnreachableHubIsAConnectionExceptionNamingTheUrl(): void
    {
        $port = self::closedPort();
        $client = new Client("http://127.0.0.1:$port", 'token', ['connectTimeout' => 1]);
        try {
            $client->publish('demo.news', 'x');
            self::fail('publishing to a closed port succeeded');
        } catch (ConnectionException $e) {
            self::assertStringContainsString("http://127.0.0.1:$port/api/publish", $e->getMessage());
            self::assertStringContainsString('could not reach the hub', $e->getMessage());
            self::assertSame(CURLE_COULDNT_CONNECT, $e->getCurlError());
        }
    }

    public function testAHubThatDoesNotAnswerIsATimeoutException(): void
    {
        // A listening socket nobody accepts from: the connection opens (the kernel's backlog), no answer comes.
        $silent = stream_socket_server('tcp://127.0.0.1:0');
        $address = stream_socket_get_name($silent, false);
        $client = new Client("http://$address", 'token', ['timeout' => 0.5]);
        $start = microtime(true);
        try {
            $client->publish('demo.news', 'x');
            self::fail('a silent server was taken for an answer');
        } catch (TimeoutException $e) {
            self::assertLessThan(3.0, microtime(true) - $start);
            self::assertStringContainsString('no answer from the hub within 0.5 s', $e->getMessage());
            self::assertStringContainsString('may or may not have been carried out', $e->getMessage());
        } finally {
            fclose($silent);
        }
    }

    public function testOversizedBodyIsBodyTooLarge(): void
    {
        $this->expectException(BodyTooLargeException::class);
        $this->expectExceptionMessageMatches('/413 body_too_large: .*publish\.maxBodyBytes/');
        Hub::client()->publish('demo.news', str_repeat('x', 70_000));
    }

    public function testBatchTheHubRefusesIsAnInvalidEventExceptionAndPublishesNothing(): void
    {
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'demo.refused');
        $events = array_fill(0, 101, ['address' => 'demo.refused', 'body' => 'never']);
        try {
            Hub::client()->publishBatch($events);
            self::fail('a batch over publish.maxBatchSize was accepted');
        } catch (InvalidEventException $e) {
            self::assertSame(400, $e->getStatus());
            self::assertSame('invalid_event', $e->getErrorCode());
            self::assertStringContainsString('maxBatchSize', $e->getMessage());
        }
        Hub::client()->publish('demo.refused', 'after');
        self::assertSame('after', $browser->nextMessage()['body'], 'nothing of the refused batch arrived first');
    }

    /** @dataProvider invalidEvents */
    public function testInvalidInputIsRefusedBeforeSending(callable $publish, string $message): void
    {
        // A closed port: had anything been sent, this would be a ConnectionException.
        $client = new Client('http://127.0.0.1:' . self::closedPort(), 'token');
        try {
            $publish($client);
            self::fail('invalid input was not refused');
        } catch (InvalidArgumentException $e) {
            self::assertInstanceOf(EventHubException::class, $e);
            self::assertStringContainsString($message, $e->getMessage());
        }
    }

    public static function invalidEvents(): iterable
    {
        yield 'empty address' => [fn (Client $c) => $c->publish('', 'x'), 'address is empty'];
        yield 'address too long' => [fn (Client $c) => $c->publish(str_repeat('a', 257), 'x'), 'at most 256'];
        yield 'address beyond the BMP counts twice' => [fn (Client $c) => $c->publish(str_repeat('a', 255) . "\u{1F600}", 'x'), 'is 257 characters'];
        yield 'control character' => [fn (Client $c) => $c->publish("demo.\nnews", 'x'), 'control characters'];
        yield 'not UTF-8' => [fn (Client $c) => $c->publish("demo.\xff", 'x'), 'not valid UTF-8'];
        yield 'body not JSON' => [fn (Client $c) => $c->publish('demo.news', "\xff\xfe"), 'cannot be encoded as JSON'];
        yield 'header not a string' => [fn (Client $c) => $c->publish('demo.news', 'x', ['n' => 1]), 'headers.n must be a string, got int'];
        yield 'empty batch' => [fn (Client $c) => $c->publishBatch([]), 'non-empty list'];
        yield 'batch item without address' => [fn (Client $c) => $c->publishBatch([['body' => 1]]), '[0].address is missing'];
        yield 'unknown field' => [fn (Client $c) => $c->publishBatch([['address' => 'a', 'adress' => 'b']]), '[0].adress is not a field'];
        yield 'empty session id' => [fn (Client $c) => $c->revokeSession(''), 'session id to revoke is empty'];
        yield 'bad position' => [fn (Client $c) => $c->history('demo.news', 'yesterday'), 'not a position'];
    }

    /** @dataProvider invalidConstruction */
    public function testMisconfigurationIsRefused(string $url, string $token, array $options, string $message): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        new Client($url, $token, $options);
    }

    public static function invalidConstruction(): iterable
    {
        yield 'no scheme' => ['127.0.0.1:8080', 't', [], 'is not an http(s) URL'];
        yield 'other scheme' => ['ftp://127.0.0.1', 't', [], 'is not an http(s) URL'];
        yield 'empty token' => ['http://127.0.0.1', ' ', [], 'publish token is empty'];
        yield 'typo in an option' => ['http://127.0.0.1', 't', ['timout' => 1], 'unknown option(s) timout'];
        yield 'negative timeout' => ['http://127.0.0.1', 't', ['timeout' => -1], 'option timeout must be a positive'];
        yield 'unbounded retries' => ['http://127.0.0.1', 't', ['retries' => 100], 'option retries must be an integer from 0 to 10'];
    }

    public function testOverloadedHubIsRetriedAfterItsRetryAfterAndTheRetriesAreBounded(): void
    {
        // The hub's test hook reports deliveries 2.5 s late: with bridge.maxDeliveryLagMillis 2000 it
        // refuses publishers for 2 s and asks for Retry-After: 2.
        Hub::client()->publish(Hub::OVERLOAD_ADDRESS, 2500);
        $once = Hub::client(['retries' => 0]);
        $refused = null;
        for ($deadline = microtime(true) + 2; $refused === null && microtime(true) < $deadline;) {
            try {
                $once->publish('demo.load', 'probe');
                usleep(10_000);
            } catch (OverloadedException $e) {
                $refused = $e;
            }
        }
        self::assertNotNull($refused, 'the hub never refused');
        self::assertSame(2, $refused->getRetryAfter());
        self::assertStringContainsString('overloaded and published nothing (1 attempt(s)', $refused->getMessage());

        $start = microtime(true);
        try {
            Hub::client(['maxRetryWait' => 1])->publish('demo.load', 'impatient');
            self::fail('a Retry-After over maxRetryWait was waited for');
        } catch (OverloadedException $e) {
            self::assertLessThan(1.0, microtime(true) - $start, 'thrown at once, without waiting');
        }

        $start = microtime(true);
        $answer = Hub::client()->publish('demo.load', 'patient');
        $waited = microtime(true) - $start;
        self::assertSame(1, $answer['accepted']);
        self::assertGreaterThanOrEqual(1.9, $waited, 'the client waited the Retry-After before sending again');
        self::assertLessThan(4.5, $waited, 'one retry was enough');
    }

    public function testRevokeSessionClosesItsConnectionsWith4401AndRefusesItAfterwards(): void
    {
        $id = Hub::sessionId();
        Hub::request(['id' => $id, 'set' => ['user_id' => 8]])->finish();
        $browser = Hub::browser($id);
        Hub::subscribe($browser, 'user.8.orders');

        Hub::client()->revokeSession($id);

        self::assertSame(4401, $browser->awaitClose()['close']);
        try {
            Hub::browser($id);
            self::fail('a revoked session was admitted again');
        } catch (UpgradeRefused $e) {
            self::assertSame(401, $e->status);
        }
    }

    public function testHistoryReturnsWhatAStreamKeptAndSaysWhenSinceIsGone(): void
    {
        $client = Hub::client();
        $positions = [];
        for ($n = 1; $n <= 4; $n++) {
            $positions[] = $client->publish('demo.history', ['n' => $n])['position'];
        }
        $latest = $client->history('demo.history');
        self::assertSame('demo.history', $latest['address']);
        self::assertSame(end($positions), $latest['position']);
        // The stream keeps 3: the first event is trimmed.
        self::assertSame([2, 3, 4], array_map(fn (array $e) => $e['body']['n'], $latest['events']));
        self::assertSame(array_slice($positions, 1), array_column($latest['events'], 'position'));

        $after = $client->history('demo.history', $positions[2]);
        self::assertSame([4], array_map(fn (array $e) => $e['body']['n'], $after['events']));

        try {
            $client->history('demo.history', 'another-epoch:1');
            self::fail('a foreign epoch was served');
        } catch (HistoryUnavailableException $e) {
            self::assertStringContainsString('history_unavailable', $e->getMessage());
        }
    }

    public function testPresenceListsTheUsersSubscribedAndSaysWhenAnAddressIsNotTracked(): void
    {
        $client = Hub::client();
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'demo.presence');
        $present = ['address' => 'demo.presence', 'connections' => 1, 'userCount' => 1,
            'users' => [['userId' => '7', 'connections' => 1]]];
        self::assertSame($present, self::presenceUntil($client, $present), 'the browser\'s user is present');

        $browser->close();
        $gone = ['address' => 'demo.presence', 'connections' => 0, 'userCount' => 0, 'users' => []];
        self::assertSame($gone, self::presenceUntil($client, $gone), 'and gone with its connection (no grace here)');

        try {
            $client->presence('demo.news');
            self::fail('an address presence does not track was answered');
        } catch (UnexpectedResponseException $e) {
            self::assertSame(404, $e->getStatus(), $e->getMessage());
            self::assertStringContainsString('not_tracked', $e->getMessage());
        }
    }

    /** The hub writes presence a moment after a subscription: asks until it answers $expected, at most 5 s. */
    private static function presenceUntil(Client $client, array $expected): array
    {
        $deadline = microtime(true) + 5;
        do {
            $answer = $client->presence('demo.presence');
            if ($answer === $expected || microtime(true) > $deadline) {
                return $answer;
            }
            usleep(50_000);
        } while (true);
    }

    /** A loopback port nothing listens on. */
    private static function closedPort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr(stream_socket_get_name($server, false), ':'), 1);
        fclose($server);
        return $port;
    }
}
