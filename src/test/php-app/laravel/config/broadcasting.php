<?php

$site = app_config('laravel');

return [
    'default' => 'event-hub',
    'connections' => [
        'event-hub' => [
            'driver' => 'event-hub',
            'url' => $site['hubUrl'],
            'token' => $site['token'],
        ],
    ],
];
