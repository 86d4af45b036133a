<?php

declare(strict_types=1);

namespace EventHub\Laravel;

use EventHub\Client;
use EventHub\Exception\EventHubException;
use Illuminate\Broadcasting\BroadcastException;
use Illuminate\Broadcasting\Broadcasters\Broadcaster;
use Illuminate\Broadcasting\Broadcasters\UsePusherChannelConventions;
use Symfony\Component\HttpKernel\Exception\AccessDeniedHttpException;

/**
 * Laravel's broadcasting driver `event-hub`: `broadcast(new OrderShipped($order))` publishes the
 * event to the hub address of each of its channels (see ChannelAddresses), in one request. Browsers
 * receive `{"event": NAME, "data": PAYLOAD}` (header `event`: NAME) on that address; they subscribe
 * straight at the hub, which admits them by their session and checks each address against its own
 * permissions. Laravel's channel authorization route still works and answers the address.
 */
class EventHubBroadcaster extends Broadcaster
{
    use UsePusherChannelConventions;

    /** The hub's default publish.maxBatchSize. */
    private const BATCH = 100;

    public function __construct(private readonly Client $client, private readonly ChannelAddresses $addresses)
    {
    }

    /**
     * @param \Illuminate\Http\Request $request
     * @return mixed
     */
    public function auth($request)
    {
        $channel = (string) $request->channel_name;
        $name = $this->normalizeChannelName($channel);
        if ($channel === '' || ($this->isGuardedChannel($channel) && !$this->retrieveUser($request, $name))) {
            throw new AccessDeniedHttpException();
        }
        return parent::verifyUserCanAccessChannel($request, $name);
    }

    /**
     * @param \Illuminate\Http\Request $request
     * @return array{address: string, user_info?: mixed}
     */
    public function validAuthenticationResponse($request, $result)
    {
        $answer = ['address' => $this->addresses->address((string) $request->channel_name)];
        if (!is_bool($result)) {
            $answer['user_info'] = $result;
        }
        return $answer;
    }

    /**
     * @param array<\Illuminate\Broadcasting\Channel|string> $channels
     * @param string $event
     */
    public function broadcast(array $channels, $event, array $payload = [])
    {
        if ($channels === []) {
            return;
        }
        unset($payload['socket']); // Pusher's "to others": the hub has no socket ids
        $events = [];
        foreach ($this->formatChannels($channels) as $channel) {
            $events[] = [
                'address' => $this->addresses->address($channel),
                'body' => ['event' => $event, 'data' => $payload],
                'headers' => ['event' => (string) $event],
            ];
        }
        try {
            foreach (array_chunk($events, self::BATCH) as $batch) {
                $this->client->publishBatch($batch);
            }
        } catch (EventHubException $e) {
            throw new BroadcastException("event-hub: broadcasting $event failed: " . $e->getMessage(), 0, $e);
        }
    }

    public function client(): Client
    {
        return $this->client;
    }
}
