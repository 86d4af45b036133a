<?php

declare(strict_types=1);

namespace EventHub\Tests\Laravel;

use EventHub\Exception\InvalidArgumentException;
use EventHub\Laravel\ChannelAddresses;
use EventHub\Laravel\EventHubBroadcaster;
use EventHub\Laravel\EventHubServiceProvider;
use EventHub\Tests\Support\Hub;
use Illuminate\Auth\GenericUser;
use Illuminate\Broadcasting\BroadcastException;
use Illuminate\Broadcasting\BroadcastManager;
use Illuminate\Broadcasting\Channel;
use Illuminate\Broadcasting\PrivateChannel;
use Illuminate\Bus\Dispatcher as Bus;
use Illuminate\Config\Repository;
use Illuminate\Container\Container;
use Illuminate\Contracts\Broadcasting\Factory as BroadcastingFactory;
use Illuminate\Contracts\Bus\Dispatcher as BusContract;
use Illuminate\Events\Dispatcher as Events;
use Illuminate\Http\Request;
use PHPUnit\Framework\TestCase;
use Symfony\Component\HttpKernel\Exception\AccessDeniedHttpException;

/**
 * The `event-hub` broadcasting driver inside Laravel's own broadcasting (Debian's Laravel 8.83): the
 * service provider registers it, `broadcast(new OrderShipped(...))` goes through the manager, the bus
 * and BroadcastEvent, and the browser of user 7 receives it from the real hub.
 */
final class EventHubBroadcasterTest extends TestCase
{
    private Container $app;
    private static string $session;

    public static function setUpBeforeClass(): void
    {
        self::$session = Hub::sessionId();
        Hub::request(['id' => self::$session, 'set' => ['user_id' => 7]])->finish();
    }

    protected function setUp(): void
    {
        $this->app = new Container();
        Container::setInstance($this->app);
        $this->app->instance('config', new Repository([
            'broadcasting' => [
                'default' => 'event-hub',
                'connections' => [
                    'event-hub' => ['driver' => 'event-hub', 'url' => Hub::url(), 'token' => Hub::env('TOKEN')],
                ],
            ],
        ]));
        $this->app->instance('events', new Events($this->app));
        $this->app->singleton(BroadcastManager::class, fn ($app) => new BroadcastManager($app));
        $this->app->alias(BroadcastManager::class, BroadcastingFactory::class);
        $this->app->singleton(BusContract::class, fn ($app) => new Bus($app));
        $provider = new EventHubServiceProvider($this->app);
        $provider->register();
        $provider->boot();
    }

    protected function tearDown(): void
    {
        Container::setInstance(null);
    }

    public function testBroadcastingAnEventReachesTheBrowserOnEachChannelsAddress(): void
    {
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'orders', 'user.7.orders');

        $this->app->make(BroadcastManager::class)->event(new OrderShipped(42, 7));
        gc_collect_cycles(); // PendingBroadcast dispatches when it is destroyed

        $received = [];
        for ($i = 0; $i < 2; $i++) {
            $message = $browser->nextMessage();
            $received[$message['address']] = $message;
        }
        self::assertSame(['orders', 'user.7.orders'], array_keys($received));
        foreach ($received as $message) {
            self::assertSame(['event' => 'OrderShipped', 'data' => ['orderId' => 42, 'userId' => 7]], $message['body']);
            self::assertSame('OrderShipped', $message['headers']['event']);
        }
    }

    public function testTheLaravelUserChannelMapsToThePerUserAddress(): void
    {
        $browser = Hub::browser(self::$session);
        Hub::subscribe($browser, 'user.7.notifications');
        $this->broadcaster()->broadcast(
            [new PrivateChannel('App.Models.User.7')],
            'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
            ['text' => 'hi', 'socket' => 'x'],
        );
        $message = $browser->nextMessage();
        self::assertSame('user.7.notifications', $message['address']);
        self::assertSame(['text' => 'hi'], $message['body']['data'], 'Pusher\'s socket id is dropped');
    }

    public function testChannelAuthorizationUsesLaravelsCallbacksAndAnswersTheAddress(): void
    {
        $broadcaster = $this->broadcaster();
        $broadcaster->channel('orders.{userId}', fn ($user, $userId) => (int) $user->id === (int) $userId);

        $mine = $this->authRequest('private-orders.7', 7);
        self::assertSame(['address' => 'orders.7'], $broadcaster->auth($mine));

        $this->expectException(AccessDeniedHttpException::class);
        $broadcaster->auth($this->authRequest('private-orders.7', 8));
    }

    public function testAHubRefusalIsABroadcastExceptionCarryingTheHubsReason(): void
    {
        $this->app['config']->set('broadcasting.connections.event-hub.token', 'wrong-token');
        try {
            $this->broadcaster()->broadcast([new Channel('orders')], 'OrderShipped', []);
            self::fail('a refused broadcast went unnoticed');
        } catch (BroadcastException $e) {
            self::assertStringContainsString('event-hub: broadcasting OrderShipped failed', $e->getMessage());
            self::assertStringContainsString('401 unauthenticated', $e->getMessage());
        }
    }

    public function testChannelRules(): void
    {
        $rules = new ChannelAddresses(['private-team.{team}.{topic}' => 'team.{team}.{topic}', 'news' => 'demo.news']);
        self::assertSame('team.3.chat', $rules->address('private-team.3.chat'));
        self::assertSame('demo.news', $rules->address('news'));
        try {
            $rules->address('other');
            self::fail('an unmapped channel was given an address');
        } catch (InvalidArgumentException $e) {
            self::assertStringContainsString('channel other matches no rule', $e->getMessage());
        }
        $this->expectExceptionMessage('uses {id}, which pattern "user" does not capture');
        new ChannelAddresses(['user' => 'user.{id}']);
    }

    public function testMissingConfigurationIsNamed(): void
    {
        $this->app['config']->set('broadcasting.connections.event-hub', ['driver' => 'event-hub']);
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('broadcasting.connections.event-hub needs url');
        $this->broadcaster();
    }

    private function broadcaster(): EventHubBroadcaster
    {
        $broadcaster = $this->app->make(BroadcastManager::class)->connection('event-hub');
        self::assertInstanceOf(EventHubBroadcaster::class, $broadcaster);
        return $broadcaster;
    }

    private function authRequest(string $channel, int $userId): Request
    {
        $request = Request::create('/broadcasting/auth', 'POST', ['channel_name' => $channel]);
        $request->setUserResolver(fn () => new GenericUser(['id' => $userId]));
        return $request;
    }
}
