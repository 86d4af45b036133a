<?php

/*
 * What the three variants of the test application share: the library (installed by copy, as the
 * README's "From PHP" describes), the site's settings (config.php, written by
 * PhpAppThroughApacheTest next to each variant), the users table, and the two pages.
 */

declare(strict_types=1);

require_once dirname(__DIR__) . '/event-hub/autoload.php';

/** @return array{hubUrl: string, token: string, dsn: string, dbUser: string, dbPassword: string, appKey: string} */
function app_config(string $variant): array
{
    return require dirname(__DIR__) . "/$variant/config.php";
}

function app_pdo(array $config): PDO
{
    return new PDO($config['dsn'], $config['dbUser'], $config['dbPassword'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}

function app_client(array $config): EventHub\Client
{
    return new EventHub\Client($config['hubUrl'], $config['token']);
}

/** The user of that name, as [id, name], or null. */
function app_user(PDO $pdo, string $name): ?array
{
    $statement = $pdo->prepare('SELECT id, name FROM users WHERE name = ?');
    $statement->execute([$name]);
    $row = $statement->fetch(PDO::FETCH_NUM);
    return $row === false ? null : [(int) $row[0], $row[1]];
}

/** The address a user's order events go to: the hub lets only that user subscribe (user.{userId}.*). */
function app_orders_address(int $userId): string
{
    return "user.$userId.orders";
}

function app_escape(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

function app_login_page(string $variant, string $error = ''): string
{
    $error = $error === '' ? '' : '<p id="error">' . app_escape($error) . '</p>';
    return <<<HTML
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Log in ($variant)</title>
        <style>body { font: 15px/1.5 system-ui, sans-serif; margin: 1.5rem; }</style></head>
        <body>
          <h1>Shop ($variant sessions): log in</h1>
          $error
          <form method="post" action="/login">
            <label>Name <input id="name" name="name" autofocus></label>
            <button id="login" type="submit">Log in</button>
          </form>
        </body></html>
        HTML;
}

/**
 * The logged-in page: the hub's hosted client, connected through this same Apache with nothing but
 * the session cookie the framework set, subscribed to the user's orders; a button whose PHP handler
 * publishes, and a logout that ends the session (the hub then closes the connection with 4401).
 */
function app_page(string $variant, int $userId, string $name): string
{
    $address = json_encode(app_orders_address($userId));
    $user = app_escape($name);
    return <<<HTML
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Orders ($variant)</title>
        <style>body { font: 15px/1.5 system-ui, sans-serif; margin: 1.5rem; } dt { font-weight: bold; } #events li { font-family: monospace; }</style></head>
        <body>
          <h1>Orders of $user ($variant sessions)</h1>
          <dl>
            <dt>state</dt><dd id="state">connecting</dd>
            <dt>subscribed</dt><dd id="ready">no</dd>
            <dt>refused</dt><dd id="fatal">-</dd>
          </dl>
          <button id="ship">Ship an order</button> <button id="logout">Log out</button> <span id="answer"></span>
          <ul id="events"></ul>
          <script src="/eventbus/sockjs.min.js"></script>
          <script src="/eventbus/client.js"></script>
          <script>
            var \$ = function (id) { return document.getElementById(id); };
            var hub = new EventHub('/eventbus', {sockjs: {timeout: 10000}});
            hub.on('open', function () { \$('state').textContent = 'open'; });
            hub.on('fatal', function (e) { \$('state').textContent = 'refused'; \$('fatal').textContent = e.code + ' ' + e.reason; });
            // Registers are answered in order: the refusal of forbidden.sync says the orders one is in place.
            hub.on('error', function (e) { if (e.body === 'access_denied') \$('ready').textContent = 'yes'; });
            hub.subscribe($address, function (body) {
              var item = document.createElement('li');
              // Laravel's broadcaster sends {event, data}; EventHub\\Client publishes the body as it is.
              item.textContent = body.event ? body.event + ': ' + body.data.text : body.text;
              \$('events').appendChild(item);
            });
            hub.subscribe('forbidden.sync', function () {});
            function post(path) {
              return fetch(path, {method: 'POST', headers: {'Accept': 'application/json'}}).then(function (r) {
                return r.text().then(function (t) { \$('answer').textContent = r.status + ' ' + t; });
              });
            }
            \$('ship').onclick = function () { post('/ship'); };
            \$('logout').onclick = function () { post('/logout'); };
          </script>
        </body></html>
        HTML;
}
