package io.eventhub.bridge;

import io.eventhub.config.HubConfig;
import io.eventhub.delivery.FanOut;
import io.eventhub.delivery.Handover;
import io.eventhub.delivery.Publisher;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.presence.Presence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;

/**
 * The event bus bridge of one hub instance: what every client connection, whatever its transport,
 * works with (limits and permissions, the fan-out, the publisher, the handover) and the registry of
 * open connections. Shared by all HTTP server verticles of the instance.
 */
public final class Bridge {
  private final Vertx vertx;
  private final HubConfig.Bridge config;
  private final HubMetrics metrics;
  private final Publisher publisher;
  private final FanOut fanOut;
  private final Handover handover;
  private final Connections connections;
  private final Presence presence;

  public Bridge(Vertx vertx, HubConfig.Bridge config, HubMetrics metrics, Publisher publisher, FanOut fanOut,
                Handover handover, Connections connections, Presence presence) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.publisher = publisher;
    this.fanOut = fanOut;
    this.handover = handover;
    this.connections = connections;
    this.presence = presence;
  }

  public Vertx vertx() {
    return vertx;
  }

  public EventBus bus() {
    return vertx.eventBus();
  }

  public HubConfig.Bridge config() {
    return config;
  }

  public HubMetrics metrics() {
    return metrics;
  }

  public Publisher publisher() {
    return publisher;
  }

  public FanOut fanOut() {
    return fanOut;
  }

  public Handover handover() {
    return handover;
  }

  public Connections connections() {
    return connections;
  }

  /** Who is subscribed to the tracked addresses, cluster-wide. */
  public Presence presence() {
    return presence;
  }

  /** A connection subscribes: the fan-out delivers to it, and presence counts it (on tracked addresses). */
  Future<Void> subscribe(String address, BridgeConnection connection) {
    presence.subscribed(address, connection.identity().userId());
    return fanOut.subscribe(address, connection);
  }

  /** A connection's subscription ends (unregister or close). */
  void unsubscribe(String address, BridgeConnection connection) {
    fanOut.unsubscribe(address, connection);
    presence.unsubscribed(address, connection.identity().userId());
  }

  /**
   * Stops taking clients and closes every connection with 4000, handing each one's subscriptions over
   * for it to resume elsewhere; completes when the clients are gone and have resumed (or their time is up).
   */
  public Future<Void> drain() {
    return connections.drain(connection -> connection.drain(handover)).compose(v -> handover.allResumed());
  }
}
