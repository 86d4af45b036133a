<?php

declare(strict_types=1);

// The library as an application without Composer loads it, then the test namespace (PSR-4), then
// Debian's autoloaders for the framework classes the Laravel tests use.
require dirname(__DIR__) . '/autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'EventHub\\Tests\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

foreach (['Illuminate/autoload.php', 'Symfony/Component/HttpFoundation/autoload.php'] as $framework) {
    if (stream_resolve_include_path($framework) !== false) {
        require_once $framework;
    }
}
