<?php

/*
 * The test application as a Laravel 8 application (Debian's php-laravel-framework): sessions in the
 * database driver's table, which the hub reads with its `laravel` preset; the event-hub broadcasting
 * driver; logout through Auth, which revokes the session on the hub.
 */

declare(strict_types=1);

$app = require dirname(__DIR__) . '/bootstrap/app.php';
$kernel = $app->make(Illuminate\Contracts\Http\Kernel::class);
$response = $kernel->handle($request = Illuminate\Http\Request::capture());
$response->send();
$kernel->terminate($request, $response);
