<?php

declare(strict_types=1);

namespace EventHub\Tests\Session;

use EventHub\Exception\InvalidArgumentException;
use EventHub\Session\PdoSessionHandler;
use EventHub\Tests\Support\Hub;
use EventHub\Tests\Support\UpgradeRefused;
use PHPUnit\Framework\TestCase;

/**
 * Sessions written by PHP itself through PdoSessionHandler, each request in a process of its own,
 * read by the real hub with its `plain` preset.
 */
final class PdoSessionHandlerTest extends TestCase
{
    public function testALoggedInSessionIsAdmittedByTheHubAsItsUser(): void
    {
        $id = Hub::sessionId();
        $done = Hub::request(['id' => $id, 'set' => ['user_id' => 21, 'roles' => ['editor', 'admin']]])->finish();
        self::assertSame(['user_id' => 21, 'roles' => ['editor', 'admin']], $done['done']);

        $row = $this->row($id);
        self::assertSame('21', (string) $row['user_id']);
        self::assertSame('editor,admin', $row['roles']);

        $browser = Hub::browser($id);
        Hub::subscribe($browser, 'user.21.inbox'); // allowed to user 21 only
        Hub::client()->publish('user.21.inbox', 'hello 21');
        self::assertSame('hello 21', $browser->nextMessage()['body']);

        // The next request reads back what the first one wrote.
        self::assertSame(['user_id' => 21, 'roles' => ['editor', 'admin']], Hub::request(['id' => $id])->next()['read']);
    }

    public function testAGuestSessionIsStoredButRefusedByTheHub(): void
    {
        $id = Hub::sessionId();
        Hub::request(['id' => $id, 'set' => ['cart' => [1, 2]]])->finish();
        self::assertNull($this->row($id)['user_id']);
        try {
            Hub::browser($id);
            self::fail('a session without a user was admitted');
        } catch (UpgradeRefused $e) {
            self::assertSame(401, $e->status);
        }
    }

    public function testExpiryFollowsGcMaxlifetimeOnTheDatabaseClock(): void
    {
        $id = Hub::sessionId();
        Hub::request(['id' => $id, 'ini' => ['session.gc_maxlifetime' => 120], 'set' => ['user_id' => 3]])->finish();
        $left = (int) Hub::pdo()->query("SELECT TIMESTAMPDIFF(SECOND, NOW(), expires_at) FROM sessions WHERE id = '$id'")
            ->fetchColumn();
        self::assertGreaterThanOrEqual(118, $left);
        self::assertLessThanOrEqual(120, $left);
    }

    public function testPhpSerializeAndANestedUserKeyWork(): void
    {
        $id = Hub::sessionId();
        $done = Hub::request([
            'id' => $id,
            'ini' => ['session.serialize_handler' => 'php_serialize'],
            'options' => ['userKey' => 'auth.id'],
            'set' => ['auth' => ['id' => 77, 'name' => 'Ann'], 'theme' => 'dark'],
        ])->finish();
        self::assertArrayHasKey('done', $done, json_encode($done));
        self::assertSame('77', (string) $this->row($id)['user_id']);
        self::assertStringStartsWith('a:2:{s:4:"auth";', $this->row($id)['data'], 'stored as php_serialize wrote it');
    }

    public function testAnExpiredSessionIsNotReadBackAndGcRemovesIt(): void
    {
        $id = Hub::sessionId();
        Hub::pdo()->prepare(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES (?, 5, 'user_id|i:5;', NOW() - INTERVAL 1 SECOND)",
        )->execute([$id]);
        self::assertSame([], Hub::request(['id' => $id])->finish()['done'], 'an expired session starts empty');

        $stale = Hub::sessionId();
        Hub::pdo()->prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES (?, 5, NOW() - INTERVAL 1 SECOND)")
            ->execute([$stale]);
        $handler = new PdoSessionHandler(Hub::newPdo());
        self::assertGreaterThanOrEqual(1, $handler->gc(1440));
        self::assertFalse($this->row($stale));
    }

    public function testConcurrentRequestsOfOneSessionRunOneAfterTheOther(): void
    {
        $id = Hub::sessionId();
        Hub::request(['id' => $id, 'set' => ['user_id' => 4, 'n' => 0]])->finish();

        $first = Hub::request(['id' => $id, 'increment' => true, 'wait' => true]);
        self::assertSame(0, $first->next()['read']['n']);
        $second = Hub::request(['id' => $id, 'increment' => true]);
        // The second request is blocked in session_start on the first one's lock.
        $waiting = Hub::pdo()->prepare(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT GET_LOCK(%'",
        );
        $deadline = microtime(true) + 10;
        do {
            $waiting->execute();
            $blocked = (int) $waiting->fetchColumn();
        } while ($blocked === 0 && microtime(true) < $deadline && usleep(20_000) === null);
        self::assertSame(1, $blocked, 'the second request waits for the lock');

        $first->proceed();
        self::assertSame(1, $first->finish()['done']['n']);
        self::assertSame(1, $second->next()['read']['n'], 'the second request read what the first one wrote');
        self::assertSame(2, $second->finish()['done']['n']);
    }

    public function testALockHeldTooLongIsAClearError(): void
    {
        $id = Hub::sessionId();
        $holder = Hub::request(['id' => $id, 'wait' => true]);
        $holder->next();
        $impatient = Hub::request(['id' => $id, 'options' => ['lockTimeout' => 1]]);
        $error = $impatient->finish()['error'] ?? '';
        self::assertStringContainsString('another request held its lock for more than 1 s (lockTimeout)', $error);
        $holder->proceed();
        self::assertArrayHasKey('done', $holder->finish());
    }

    public function testDestroyingTheSessionRevokesItOnTheHub(): void
    {
        $id = Hub::sessionId();
        Hub::request(['id' => $id, 'set' => ['user_id' => 9]])->finish();
        $browser = Hub::browser($id);
        Hub::subscribe($browser, 'user.9.orders');

        $logout = Hub::request(['id' => $id, 'revoke' => true, 'destroy' => true])->finish();

        self::assertArrayHasKey('done', $logout, json_encode($logout));
        self::assertFalse($this->row($id), 'the row is gone');
        self::assertSame(4401, $browser->awaitClose()['close']);
    }

    public function testAUserIdThatIsNoIdIsAClearError(): void
    {
        $request = Hub::request(['id' => Hub::sessionId(), 'set' => ['user_id' => ['not', 'an', 'id']]]);
        self::assertStringContainsString(
            'session variable user_id must be the user id (int or string), got array',
            $request->finish()['error'] ?? '',
        );
    }

    public function testMisconfigurationIsRefused(): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('unknown option(s) userkey');
        new PdoSessionHandler(Hub::pdo(), ['userkey' => 'id']);
    }

    /** @return array<string, mixed>|false */
    private function row(string $id): array|false
    {
        $statement = Hub::pdo()->prepare('SELECT user_id, roles, data, expires_at FROM sessions WHERE id = ?');
        $statement->execute([$id]);
        return $statement->fetch(\PDO::FETCH_ASSOC);
    }
}
