<?php

/*
 * The test application with plain PHP sessions: EventHub\Session\PdoSessionHandler stores them in
 * the hub's `plain` layout, and destroying one (logout) revokes it on the hub.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/common/app.php';

$config = app_config('plain');
$pdo = app_pdo($config);
$client = app_client($config);
// Only ids the handler knows are taken from the cookie (validateId): after logout the browser's old
// id starts a new session under a new id instead of being reused.
ini_set('session.use_strict_mode', '1');
session_set_save_handler(new EventHub\Session\PdoSessionHandler($pdo, ['hub' => $client]), true);
session_start();

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$post = $_SERVER['REQUEST_METHOD'] === 'POST';
$userId = $_SESSION['user_id'] ?? null;

if ($path === '/login' && $post) {
    $user = app_user($pdo, (string) ($_POST['name'] ?? ''));
    if ($user === null) {
        echo app_login_page('plain', 'unknown user');
        return;
    }
    session_regenerate_id(true); // a new id at login: the guest's id is not the logged-in one
    [$_SESSION['user_id'], $_SESSION['name']] = $user;
    header('Location: /', true, 303);
} elseif ($path === '/login') {
    echo app_login_page('plain');
} elseif ($userId === null) {
    $post ? http_response_code(401) : header('Location: /login', true, 303);
} elseif ($path === '/ship' && $post) {
    $n = $_SESSION['shipped'] = ($_SESSION['shipped'] ?? 0) + 1;
    $answer = $client->publish(app_orders_address($userId), ['text' => "order $n shipped"]);
    header('Content-Type: application/json');
    echo json_encode($answer);
} elseif ($path === '/logout' && $post) {
    session_destroy(); // the handler deletes the row and revokes the id on the hub
    header('Content-Type: application/json');
    echo json_encode(['loggedOut' => true]);
} elseif ($path === '/') {
    echo app_page('plain', $userId, $_SESSION['name']);
} else {
    http_response_code(404);
}
