package io.eventhub.history;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import io.eventhub.cluster.HubMembers;
import io.eventhub.cluster.RouteProbe;
import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.config.HubConfig;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Positions for events that services in other JVMs publish straight onto the clustered bus, where no
 * hub's interceptor sees them go out. The bus hands such an event to every member with a consumer on
 * its address; so one hub, the address's home ({@link HubMembers}), keeps a consumer there too, its
 * intake: it stores each event that comes without a position and publishes it again with one (header
 * {@link History#INTAKE_HEADER}); every fan-out holds the unpositioned copy until that one arrives
 * (delivery.Sequencer), and delivers it as it came if none does within {@link #HOLD_MILLIS}.
 *
 * <p>The bus carries nothing to an address nobody listens on, so an intake exists from the first
 * subscription to a stream address anywhere and stays for the stream's {@code ttlSeconds} after the
 * last one ended: a client coming back within the history finds what services published meanwhile.
 * The addresses with an intake are kept in a Hazelcast map (expiring {@code ttlSeconds} after the last
 * subscriber left), so when hubs join or leave, each address's new home takes its intake over.
 */
public final class ClusterIntake {
  /** How long a fan-out waits for an intake's positioned copy of an event before it delivers the event as it came. */
  public static final long HOLD_MILLIS = 1000;

  private static final Logger log = LoggerFactory.getLogger(ClusterIntake.class);
  private static final String ADDRESSES = "hub-history-intakes";

  private final Vertx vertx;
  private final Context context;
  private final EventBus bus;
  private final History history;
  private final SubscribedAddresses subscribed;
  private final HubMembers members;
  private final IMap<String, Boolean> addresses;
  /** This member's intakes; confined to {@link #context}. */
  private final Map<String, MessageConsumer<Object>> intakes = new HashMap<>();

  private ClusterIntake(Vertx vertx, HazelcastInstance hazelcast, History history, SubscribedAddresses subscribed,
                        HubMembers members) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.bus = vertx.eventBus();
    this.history = history;
    this.subscribed = subscribed;
    this.members = members;
    this.addresses = hazelcast.getMap(ADDRESSES);
  }

  /** Starts taking in the events of stream addresses this member is the home of. */
  public static ClusterIntake start(Vertx vertx, HazelcastInstance hazelcast, History history,
                                    SubscribedAddresses subscribed, HubMembers members) {
    ClusterIntake intake = new ClusterIntake(vertx, hazelcast, history, subscribed, members);
    subscribed.onChange(intake::consumersChanged);
    members.onChange(intake::rebalance);
    intake.addresses.addEntryListener((EntryExpiredListener<String, Boolean>) intake::expired, false);
    intake.rebalance();
    return intake;
  }

  /**
   * A consumer was registered on or removed from {@code address} somewhere (Hazelcast's event thread),
   * this intake's own included: what counts is whether any other is left.
   */
  private void consumersChanged(String address) {
    // The home first: a hash, where the stream lookup would cache every address the cluster names.
    HubConfig.Stream stream = members.isHomeOf(address) ? history.streamOf(address) : null;
    if (stream == null) {
      return;
    }
    consumers(address).onSuccess(consumers -> context.runOnContext(v -> {
      boolean held = intakes.containsKey(address);
      if (consumers - (held ? 1 : 0) > 0) {
        open(address);
        blocking(() -> addresses.set(address, Boolean.TRUE));
      } else if (held) {
        blocking(() -> linger(address, stream));
      }
    }));
  }

  /** How many consumers {@code address} has in the cluster, read on a worker. */
  private Future<Integer> consumers(String address) {
    return vertx.<Integer>executeBlocking(() -> subscribed.consumers(address), false).onFailure(ClusterIntake::failed);
  }

  /** Nobody listens on {@code address} but its intake: it stays for the stream's TTL. */
  private void linger(String address, HubConfig.Stream stream) {
    if (!addresses.setTtl(address, stream.ttlSeconds(), TimeUnit.SECONDS)) {
      addresses.set(address, Boolean.TRUE, stream.ttlSeconds(), TimeUnit.SECONDS);
    }
  }

  /** An address's intake outlived its stream's TTL without subscribers: closed unless one came meanwhile. */
  private void expired(EntryEvent<String, Boolean> event) {
    String address = event.getKey();
    consumers(address).onSuccess(consumers -> context.runOnContext(v -> {
      if (intakes.containsKey(address) && consumers <= 1) {
        close(address);
      } else if (consumers > 0 && members.isHomeOf(address)) {
        blocking(() -> addresses.set(address, Boolean.TRUE));
      }
    }));
  }

  /** Hubs joined or left: open the intakes this member is now the home of, close those it no longer is. */
  private void rebalance() {
    blocking(() -> {
      Set<String> known = addresses.keySet();
      Set<String> wanted = new HashSet<>(known);
      wanted.addAll(subscribed.addresses());
      wanted.removeIf(address -> !members.isHomeOf(address) || history.streamOf(address) == null);
      context.runOnContext(v -> {
        for (String address : Set.copyOf(intakes.keySet())) {
          if (!wanted.contains(address)) {
            close(address);
          }
        }
        wanted.forEach(this::open);
      });
      // Addresses subscribed now but not in the map yet (their home left before it wrote them).
      for (String address : wanted) {
        if (!known.contains(address)) {
          addresses.putIfAbsent(address, Boolean.TRUE);
        }
      }
    });
  }

  private void open(String address) {
    if (!intakes.containsKey(address)) {
      intakes.put(address, bus.consumer(address, this::take));
    }
  }

  private void close(String address) {
    MessageConsumer<Object> intake = intakes.remove(address);
    if (intake != null) {
      intake.unregister();
    }
  }

  /** An event on a stream address: one without a position came from another JVM's service and gets one here. */
  private void take(Message<Object> message) {
    // Positioned events (everything published through a hub) are the most: they cost one header lookup.
    if (message.isSend() || message.headers().contains(History.POSITION_HEADER) || RouteProbe.isProbe(message)) {
      return;
    }
    String address = message.address();
    HubConfig.Stream stream = history.streamOf(address);
    if (stream == null || !members.isHomeOf(address)) {
      return;
    }
    Object body = message.body();
    history.append(address, stream, body, message.headers(), position -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(message.headers())
          .set(History.POSITION_HEADER, position.toString())
          .set(History.INTAKE_HEADER, "1")
          .set(HubMetrics.PUBLISHED_AT_HEADER, Long.toString(HubMetrics.epochMicros()));
      bus.publish(address, body, new DeliveryOptions().setHeaders(headers));
    }).onFailure(e -> log.warn("An event a service published on {} could not be stored ({}); it is delivered without a position",
        address, e.toString()));
  }

  private void blocking(Runnable task) {
    vertx.executeBlocking(() -> {
      task.run();
      return null;
    }, false).onFailure(ClusterIntake::failed);
  }

  private static void failed(Throwable e) {
    log.warn("History intake bookkeeping failed: {}", e.toString());
  }
}
