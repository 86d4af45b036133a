package io.eventhub.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own meters, and
 * nothing else; named in {@code logback.xml}.
 *
 * <p>Vert.x Micrometer Metrics 5.0 keeps each of its up-and-down counts (event-bus handlers, pending
 * messages, active connections and requests, pool queues) as a gauge over a shared {@code LongAdder}
 * and registers that gauge again every time one more handler, connection or request comes: it looks
 * the adder up by the meter id the registry hands back, so the values stay right. Micrometer 1.13.9
 * and later log the first such re-registration in the JVM as a warning (micrometer-metrics/micrometer#5688); with
 * clustering off the hub's second event-bus consumer triggers it at start. There is nothing to change
 * on the hub's side short of switching those Vert.x metrics off: it is the known upstream bug
 * vert-x3/vertx-micrometer-metrics#259 (open; Vert.x 5.1's documentation, "Gauge has already been
 * registered warning", calls it harmless) and micrometer-metrics/micrometer#6931.
 *
 * <p>The hub's own gauges ({@code eventhub.*}) are each registered once; a warning about one of them
 * would be a real mistake, so it passes.
 */
public final class VertxGaugeWarningFilter extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String VERTX_GAUGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return format != null && format.startsWith(VERTX_GAUGE) && LOGGER.equals(logger.getName())
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
