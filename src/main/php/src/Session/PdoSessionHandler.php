<?php

declare(strict_types=1);

namespace EventHub\Session;

use EventHub\Client;
use EventHub\Options;
use EventHub\Exception\InvalidArgumentException;

/**
 * Stores PHP sessions in MySQL/MariaDB in the hub's `plain` layout (`conf/schema.sql`: `sessions(id,
 * user_id, roles, data, expires_at)`), so that the hub admits a browser by its PHPSESSID cookie:
 *
 *     session_set_save_handler(new PdoSessionHandler($pdo, ['hub' => $client]), true);
 *     session_start();
 *     $_SESSION['user_id'] = $user->id;   // the hub's user id from now on
 *
 * `user_id` is filled from a session variable (`userKey`, dotted paths reach into arrays), `roles`
 * from `rolesKey` (a list or a comma-separated string), `expires_at` from `session.gc_maxlifetime`
 * on the database's clock, which is the one the hub compares with. A session without the user key
 * is a guest's: stored, and refused by the hub. With the `hub` option, destroying a session (logout,
 * `session_regenerate_id(true)`) also revokes it on the hub, closing its connections with 4401.
 *
 * Locking: each request holds a MySQL advisory lock (GET_LOCK) on its session id from read until
 * close, so that concurrent requests of one session run one after another and none overwrites what
 * another wrote. No transaction stays open meanwhile.
 *
 * Options (defaults): `table` (sessions), `idColumn` (id), `userColumn` (user_id), `rolesColumn`
 * (roles; null: none), `dataColumn` (data), `expiresColumn` (expires_at), `userKey` (user_id),
 * `rolesKey` (roles), `lifetime` (null: session.gc_maxlifetime), `locking` (true), `lockTimeout`
 * (seconds, 30), `hub` (an EventHub\Client, null).
 */
final class PdoSessionHandler implements \SessionHandlerInterface, \SessionUpdateTimestampHandlerInterface
{
    private const DEFAULTS = [
        'table' => 'sessions',
        'idColumn' => 'id',
        'userColumn' => 'user_id',
        'rolesColumn' => 'roles',
        'dataColumn' => 'data',
        'expiresColumn' => 'expires_at',
        'userKey' => 'user_id',
        'rolesKey' => 'roles',
        'lifetime' => null,
        'locking' => true,
        'lockTimeout' => 30,
        'hub' => null,
    ];

    /** @var array<string, mixed> */
    private readonly array $options;
    /** The session id whose lock this request holds. */
    private ?string $locked = null;

    /** @param array<string, mixed> $options see the class comment */
    public function __construct(private readonly \PDO $pdo, array $options = [])
    {
        $options = Options::withDefaults($options, self::DEFAULTS);
        $identifier = '/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/';
        foreach (['table', 'idColumn', 'userColumn', 'rolesColumn', 'dataColumn', 'expiresColumn'] as $name) {
            $value = $options[$name];
            if ($value !== null && (!is_string($value) || preg_match($identifier, $value) !== 1)) {
                throw new InvalidArgumentException("option $name must be a plain SQL identifier");
            }
        }
        foreach (['table', 'idColumn', 'dataColumn', 'expiresColumn'] as $name) {
            if ($options[$name] === null) {
                throw new InvalidArgumentException("option $name is required");
            }
        }
        if ($options['hub'] !== null && !$options['hub'] instanceof Client) {
            throw new InvalidArgumentException('option hub must be an EventHub\Client');
        }
        if ($options['lifetime'] !== null && (!is_int($options['lifetime']) || $options['lifetime'] < 1)) {
            throw new InvalidArgumentException('option lifetime must be a positive number of seconds');
        }
        if ($options['locking'] && $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) !== 'mysql') {
            throw new InvalidArgumentException(
                'locking needs MySQL or MariaDB (pdo_mysql): the hub reads sessions only from there',
            );
        }
        $this->options = $options;
        // Every failure an exception, whatever the application configured on its connection.
        $pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
    }

    public function open(string $path, string $name): bool
    {
        return true;
    }

    public function close(): bool
    {
        $this->unlock();
        return true;
    }

    public function read(string $id): string|false
    {
        $this->lock($id);
        $o = $this->options;
        $statement = $this->pdo->prepare(
            "SELECT {$o['dataColumn']} FROM {$o['table']} WHERE {$o['idColumn']} = ? AND {$o['expiresColumn']} > NOW()",
        );
        $statement->execute([$id]);
        $data = $statement->fetchColumn();
        return $data === false || $data === null ? '' : (string) $data;
    }

    public function write(string $id, string $data): bool
    {
        $o = $this->options;
        $vars = SessionData::decode($data, (string) ini_get('session.serialize_handler'));
        $columns = [$o['idColumn'] => $id, $o['dataColumn'] => $data];
        if ($o['userColumn'] !== null) {
            $columns[$o['userColumn']] = $this->userId($vars);
        }
        if ($o['rolesColumn'] !== null) {
            $columns[$o['rolesColumn']] = $this->roles($vars);
        }
        $names = array_keys($columns);
        $updates = array_map(static fn (string $c): string => "$c = VALUES($c)", array_slice($names, 1));
        $updates[] = "{$o['expiresColumn']} = VALUES({$o['expiresColumn']})";
        $sql = sprintf(
            'INSERT INTO %s (%s, %s) VALUES (%s, NOW() + INTERVAL ? SECOND) ON DUPLICATE KEY UPDATE %s',
            $o['table'],
            implode(', ', $names),
            $o['expiresColumn'],
            implode(', ', array_fill(0, count($names), '?')),
            implode(', ', $updates),
        );
        $statement = $this->pdo->prepare($sql);
        $values = array_values($columns);
        foreach ($values as $i => $value) {
            $statement->bindValue($i + 1, $value, $value === null ? \PDO::PARAM_NULL : \PDO::PARAM_STR);
        }
        $statement->bindValue(count($values) + 1, $this->lifetime(), \PDO::PARAM_INT);
        $statement->execute();
        return true;
    }

    public function destroy(string $id): bool
    {
        $o = $this->options;
        $this->pdo->prepare("DELETE FROM {$o['table']} WHERE {$o['idColumn']} = ?")->execute([$id]);
        if ($this->locked === $id) {
            $this->unlock();
        }
        // After the delete: if the hub cannot be told, the row is gone anyway and the hub's
        // revalidation ends the connections within auth.revalidateSeconds; the exception says so.
        $this->options['hub']?->revokeSession($id);
        return true;
    }

    public function gc(int $max_lifetime): int|false
    {
        $o = $this->options;
        return $this->pdo->exec("DELETE FROM {$o['table']} WHERE {$o['expiresColumn']} <= NOW()");
    }

    /** With session.use_strict_mode: only ids of live sessions are taken from the browser. */
    public function validateId(string $id): bool
    {
        $o = $this->options;
        $statement = $this->pdo->prepare(
            "SELECT 1 FROM {$o['table']} WHERE {$o['idColumn']} = ? AND {$o['expiresColumn']} > NOW()",
        );
        $statement->execute([$id]);
        return $statement->fetchColumn() !== false;
    }

    /** With session.lazy_write and unchanged data: only the expiry moves on. */
    public function updateTimestamp(string $id, string $data): bool
    {
        $o = $this->options;
        $statement = $this->pdo->prepare(
            "UPDATE {$o['table']} SET {$o['expiresColumn']} = NOW() + INTERVAL ? SECOND WHERE {$o['idColumn']} = ?",
        );
        $statement->bindValue(1, $this->lifetime(), \PDO::PARAM_INT);
        $statement->bindValue(2, $id);
        $statement->execute();
        if ($statement->rowCount() === 0 && !$this->validateId($id)) {
            return $this->write($id, $data); // the row expired or was deleted meanwhile
        }
        return true;
    }

    private function lifetime(): int
    {
        return $this->options['lifetime'] ?? max(1, (int) ini_get('session.gc_maxlifetime'));
    }

    private function userId(array $vars): ?string
    {
        $user = SessionData::lookup($vars, $this->options['userKey']);
        if ($user === null || $user === '') {
            return null;
        }
        if (!is_int($user) && !is_string($user)) {
            throw new \UnexpectedValueException(sprintf(
                'session variable %s must be the user id (int or string), got %s',
                $this->options['userKey'],
                get_debug_type($user),
            ));
        }
        return (string) $user;
    }

    private function roles(array $vars): ?string
    {
        $roles = SessionData::lookup($vars, (string) $this->options['rolesKey']);
        if ($roles === null || $roles === '' || $roles === []) {
            return null;
        }
        if (is_array($roles)) {
            $roles = implode(',', array_map('strval', $roles));
        }
        if (!is_string($roles)) {
            throw new \UnexpectedValueException(sprintf(
                'session variable %s must be a list of roles or a comma-separated string',
                $this->options['rolesKey'],
            ));
        }
        return $roles;
    }

    private function lock(string $id): void
    {
        if (!$this->options['locking'] || $this->locked === $id) {
            return;
        }
        $this->unlock();
        $statement = $this->pdo->prepare('SELECT GET_LOCK(?, ?)');
        $statement->execute([$this->lockName($id), (int) $this->options['lockTimeout']]);
        $got = $statement->fetchColumn();
        if ((string) $got !== '1') {
            throw new \RuntimeException(sprintf(
                'session %s…: another request held its lock for more than %d s (lockTimeout)%s',
                substr($id, 0, 6),
                $this->options['lockTimeout'],
                $got === null ? ' or the database refused GET_LOCK' : '',
            ));
        }
        $this->locked = $id;
    }

    private function unlock(): void
    {
        if ($this->locked === null) {
            return;
        }
        $name = $this->lockName($this->locked);
        $this->locked = null;
        $this->pdo->prepare('SELECT RELEASE_LOCK(?)')->execute([$name]);
    }

    /** MySQL lock names are at most 64 characters; session ids can be 256. */
    private function lockName(string $id): string
    {
        return 'eventhub_session_' . sha1($this->options['table'] . "\0" . $id);
    }
}
