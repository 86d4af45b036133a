package io.eventhub.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.eventhub.cluster.Clustering;
import io.eventhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

/**
 * Builds the Vert.x instance with its metrics in one Prometheus registry: Vert.x's own (HTTP server,
 * event bus, SQL pool), the JVM's (memory, GC, threads, CPU) and the hub's ({@link HubMetrics}).
 */
public final class Metrics {
  /**
   * Vert.x labels kept: all from small fixed sets. Left out on purpose: event-bus address (per-user
   * addresses would explode the series), HTTP path, remote and local address.
   */
  static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE,
      Label.EB_SIDE, Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME, Label.NAMESPACE);

  private Metrics() {}

  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Vert.x with metrics; clustered over Hazelcast when {@code cluster.enabled}. */
  public static Future<Vertx> vertx(PrometheusMeterRegistry registry, HubConfig.Cluster cluster, HubConfig.IoTransport io) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(LABELS);
    // Native epoll where Netty has it (Linux x86_64), NIO elsewhere; io_uring only when asked for.
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(io != HubConfig.IoTransport.NIO);
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    if (io == HubConfig.IoTransport.IO_URING) {
      if (Transport.IO_URING == null || !Transport.IO_URING.available()) {
        return Future.failedFuture(new IllegalStateException("http.transport is io_uring, which this system does not offer: "
            + (Transport.IO_URING == null ? "no io_uring classes" : Transport.IO_URING.unavailabilityCause())));
      }
      builder.withTransport(Transport.IO_URING);
    } else if (io == HubConfig.IoTransport.NIO) {
      builder.withTransport(Transport.NIO);
    }
    if (!cluster.enabled()) {
      return Future.succeededFuture(builder.with(options).build());
    }
    return builder.with(options.setEventBusOptions(Clustering.eventBus(cluster)))
        .withClusterManager(Clustering.clusterManager(cluster))
        .buildClustered();
  }
}
