<?php

/*
 * For applications without Composer: `require 'path/to/event-hub/autoload.php';` maps the EventHub\
 * namespace to src/ (PSR-4), as Composer's autoloader would from composer.json.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'EventHub\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
