<?php

$site = app_config('laravel');
preg_match('/host=([^;]+);port=(\d+);dbname=([^;]+)/', $site['dsn'], $db);

return [
    'default' => 'mysql',
    'connections' => [
        'mysql' => [
            'driver' => 'mysql',
            'host' => $db[1],
            'port' => $db[2],
            'database' => $db[3],
            'username' => $site['dbUser'],
            'password' => $site['dbPassword'],
            'charset' => 'utf8mb4',
            'collation' => 'utf8mb4_unicode_ci',
            'prefix' => '',
        ],
    ],
];
