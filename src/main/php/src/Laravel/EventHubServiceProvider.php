<?php

declare(strict_types=1);

namespace EventHub\Laravel;

use EventHub\Client;
use EventHub\Exception\InvalidArgumentException;
use Illuminate\Auth\Events\Logout;
use Illuminate\Broadcasting\BroadcastManager;
use Illuminate\Cookie\Middleware\EncryptCookies;
use Illuminate\Support\ServiceProvider;

/**
 * Registers the broadcasting driver `event-hub` and the hub's Client, configured by the connection
 * `broadcasting.connections.event-hub`:
 *
 *     'event-hub' => [
 *         'driver' => 'event-hub',
 *         'url' => env('EVENTHUB_URL'),              // the hub itself, e.g. http://127.0.0.1:8080
 *         'token' => env('EVENTHUB_PUBLISH_TOKEN'),  // its publish.token
 *         'options' => [],                           // EventHub\Client options
 *         'channels' => ChannelAddresses::DEFAULT_RULES,
 *         'revoke_on_logout' => true,                // Auth::logout() closes the user's hub connections
 *         'readable_session_cookie' => true,         // the hub reads the session cookie (see below)
 *     ],
 *
 * The hub's `laravel` preset admits a browser by its session id, which Laravel's EncryptCookies
 * middleware would encrypt in the cookie: with `readable_session_cookie` the session cookie is left
 * out of that encryption (it is a random 40-character id either way), so the cookie alone logs the
 * browser in at the hub.
 */
final class EventHubServiceProvider extends ServiceProvider
{
    private const CONFIG = 'broadcasting.connections.event-hub';

    public function register(): void
    {
        $this->app->singleton(Client::class, fn ($app) => self::client((array) $app['config']->get(self::CONFIG, [])));
    }

    public function boot(): void
    {
        $this->app->make(BroadcastManager::class)->extend(
            'event-hub',
            static fn ($app, array $config) => new EventHubBroadcaster(
                self::client($config),
                new ChannelAddresses($config['channels'] ?? ChannelAddresses::DEFAULT_RULES),
            ),
        );
        $config = (array) $this->app['config']->get(self::CONFIG, []);
        if ($config === []) {
            return;
        }
        if ($config['revoke_on_logout'] ?? true) {
            $this->app['events']->listen(Logout::class, function (): void {
                try {
                    $this->app->make(Client::class)->revokeSession($this->app['session']->getId());
                } catch (\Throwable $e) {
                    // Logout goes on: the session row goes at invalidate(), and the hub's revalidation
                    // closes the connections within auth.revalidateSeconds; the failure is logged.
                    report($e);
                }
            });
        }
        if ($config['readable_session_cookie'] ?? true) {
            $this->app->resolving(EncryptCookies::class, function (EncryptCookies $cookies): void {
                $cookies->disableFor($this->app['config']->get('session.cookie'));
            });
        }
    }

    /** @param array<string, mixed> $config */
    public static function client(array $config): Client
    {
        if (!is_string($config['url'] ?? null) || !is_string($config['token'] ?? null)) {
            throw new InvalidArgumentException(
                'broadcasting.connections.event-hub needs url (the hub, e.g. http://127.0.0.1:8080)'
                . ' and token (its publish.token)',
            );
        }
        return new Client($config['url'], $config['token'], (array) ($config['options'] ?? []));
    }
}
