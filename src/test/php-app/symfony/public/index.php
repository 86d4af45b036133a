<?php

/*
 * The test application with Symfony's sessions (HttpFoundation 5.4) in Symfony's own
 * PdoSessionHandler table: the hub reads it with its `symfony` preset, the user id being the session
 * attribute user_id (`_sf2_attributes.user_id`). Logout invalidates the session and revokes the id
 * through EventHub\Client.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/common/app.php';
require_once 'Symfony/Component/HttpFoundation/autoload.php';

use Symfony\Component\HttpFoundation\JsonResponse;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;
use Symfony\Component\HttpFoundation\Session\Session;
use Symfony\Component\HttpFoundation\Session\Storage\Handler\PdoSessionHandler;
use Symfony\Component\HttpFoundation\Session\Storage\NativeSessionStorage;

$config = app_config('symfony');
$client = app_client($config);
$session = new Session(new NativeSessionStorage(
    ['cookie_httponly' => true, 'cookie_samesite' => 'lax'],
    new PdoSessionHandler(app_pdo($config), ['db_table' => 'symfony_sessions']),
));
$request = Request::createFromGlobals();
$request->setSession($session);

$response = (static function (Request $request, Session $session) use ($config, $client): Response {
    $path = $request->getPathInfo();
    $post = $request->isMethod('POST');
    $userId = $session->get('user_id');
    if ($path === '/login' && $post) {
        $user = app_user(app_pdo($config), (string) $request->request->get('name', ''));
        if ($user === null) {
            return new Response(app_login_page('symfony', 'unknown user'));
        }
        $session->migrate(true);
        $session->set('user_id', $user[0]);
        $session->set('name', $user[1]);
        return new RedirectResponse('/', 303);
    }
    if ($path === '/login') {
        return new Response(app_login_page('symfony'));
    }
    if ($userId === null) {
        return $post ? new Response('', 401) : new RedirectResponse('/login', 303);
    }
    if ($path === '/ship' && $post) {
        $n = $session->get('shipped', 0) + 1;
        $session->set('shipped', $n);
        return new JsonResponse($client->publish(app_orders_address($userId), ['text' => "order $n shipped"]));
    }
    if ($path === '/logout' && $post) {
        $id = $session->getId();
        $session->invalidate();
        $client->revokeSession($id);
        return new JsonResponse(['loggedOut' => true]);
    }
    if ($path === '/') {
        return new Response(app_page('symfony', $userId, $session->get('name')));
    }
    return new Response('', 404);
})($request, $session);

$response->prepare($request)->send();
