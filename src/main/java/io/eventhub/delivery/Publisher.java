package io.eventhub.delivery;

import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.config.HubConfig;
import io.eventhub.history.History;
import io.eventhub.history.Position;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Where events enter the hub (publish API, bridge clients): stamps the publish time that travels with
 * the event for the latency histogram, counts the event by source, and in a cluster skips addresses
 * no member listens on instead of making Vert.x look each one up in Hazelcast.
 */
public final class Publisher {
  private final EventBus bus;
  private final SubscribedAddresses subscribed;
  private final HubMetrics metrics;
  private final DeliveryLag lag;
  private final History history;

  /** {@code subscribed} is null without clustering. */
  public Publisher(EventBus bus, SubscribedAddresses subscribed, HubMetrics metrics, DeliveryLag lag, History history) {
    this.bus = bus;
    this.history = history;
    this.subscribed = subscribed;
    this.metrics = metrics;
    this.lag = lag;
  }

  /** This instance's delivery runs late: publishers are refused until it catches up. */
  public DeliveryLag lag() {
    return lag;
  }

  /** Where stream addresses keep their events. */
  public History history() {
    return history;
  }

  /**
   * Publishes one event; the future holds its position when {@code address} is a stream (stored even
   * when nobody listens now: it is there for whoever comes back), null otherwise.
   */
  public Future<String> publish(String address, Object body, DeliveryOptions options, String source) {
    metrics.published(source);
    HubConfig.Stream stream = history.streamOf(address);
    if (stream == null) {
      send(address, body, options);
      return Future.succeededFuture();
    }
    MultiMap headers = options.getHeaders();
    if (headers != null) {
      // Only the history gives positions: one a client sends is not believed.
      headers.remove(History.POSITION_HEADER);
    }
    return history.append(address, stream, body, headers, position -> {
      options.addHeader(History.POSITION_HEADER, position.toString());
      send(address, body, options);
    }).map(Position::toString);
  }

  private void send(String address, Object body, DeliveryOptions options) {
    if (subscribed != null && !subscribed.anywhere(address)) {
      metrics.unsubscribed();
      return;
    }
    options.addHeader(HubMetrics.PUBLISHED_AT_HEADER, Long.toString(HubMetrics.epochMicros()));
    bus.publish(address, body, options);
  }
}
