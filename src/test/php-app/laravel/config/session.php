<?php

// The database driver, in the table the hub's laravel preset is pointed at.
return [
    'driver' => 'database',
    'table' => 'laravel_sessions',
    'connection' => null,
    'lifetime' => 120,
    'expire_on_close' => false,
    'encrypt' => false,
    'lottery' => [2, 100],
    'cookie' => 'laravel_session',
    'path' => '/',
    'domain' => null,
    'secure' => true,
    'http_only' => true,
    'same_site' => 'lax',
];
