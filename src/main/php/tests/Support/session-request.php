<?php

/*
 * One request on a PHP session with EventHub\Session\PdoSessionHandler, in a process of its own as
 * under Apache. Argument: a JSON plan (see SessionRequest and the tests): database, session id,
 * ini settings, handler options, what to set, whether to wait for a line on stdin before writing,
 * whether to destroy the session. Prints JSON lines: {"read": $_SESSION}, then {"done": $_SESSION}
 * or {"error": message}.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

use EventHub\Client;
use EventHub\Session\PdoSessionHandler;

$plan = json_decode($argv[1], true, 512, JSON_THROW_ON_ERROR);
$say = static function (array $line): void {
    echo json_encode($line), "\n";
};
try {
    ini_set('session.use_cookies', '0');
    ini_set('session.use_only_cookies', '0');
    ini_set('session.cache_limiter', '');
    foreach ($plan['ini'] ?? [] as $name => $value) {
        ini_set($name, (string) $value);
    }
    $pdo = new PDO($plan['dsn'], $plan['user'], $plan['password']);
    $options = $plan['options'] ?? [];
    if ($plan['revoke'] ?? false) {
        $options['hub'] = new Client($plan['hub']['url'], $plan['hub']['token']);
    }
    session_set_save_handler(new PdoSessionHandler($pdo, $options), true);
    session_id($plan['id']);
    session_start();
    $say(['read' => $_SESSION]);
    if ($plan['wait'] ?? false) {
        fgets(STDIN);
    }
    foreach ($plan['set'] ?? [] as $name => $value) {
        $_SESSION[$name] = $value;
    }
    if ($plan['increment'] ?? false) {
        $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    }
    if ($plan['destroy'] ?? false) {
        session_destroy();
    } else {
        session_write_close();
    }
    $say(['done' => $_SESSION]);
} catch (Throwable $e) {
    $say(['error' => get_class($e) . ': ' . $e->getMessage()]);
}
