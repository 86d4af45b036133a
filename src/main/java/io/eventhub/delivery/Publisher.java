package io.eventhub.delivery;

import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.metrics.HubMetrics;
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

  /** {@code subscribed} is null without clustering. */
  public Publisher(EventBus bus, SubscribedAddresses subscribed, HubMetrics metrics, DeliveryLag lag) {
    this.bus = bus;
    this.subscribed = subscribed;
    this.metrics = metrics;
    this.lag = lag;
  }

  /** This instance's delivery runs late: publishers are refused until it catches up. */
  public DeliveryLag lag() {
    return lag;
  }

  public void publish(String address, Object body, DeliveryOptions options, String source) {
    metrics.published(source);
    if (subscribed != null && !subscribed.anywhere(address)) {
      metrics.unsubscribed();
      return;
    }
    options.addHeader(HubMetrics.PUBLISHED_AT_HEADER, Long.toString(HubMetrics.epochMicros()));
    bus.publish(address, body, options);
  }
}
