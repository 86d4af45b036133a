package io.eventhub.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VertxGaugeWarningFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final VertxGaugeWarningFilter filter = new VertxGaugeWarningFilter();

  private FilterReply decide(String logger, String message) {
    return filter.decide(null, context.getLogger(logger), Level.WARN, message, null, null);
  }

  @Test
  @DisplayName("Micrometer's re-registration warning is dropped for Vert.x's gauges only")
  void onlyVertxGauges() {
    String micrometer = "io.micrometer.core.instrument.MeterRegistry";
    assertEquals(FilterReply.DENY, decide(micrometer, "This Gauge has been already registered "
        + "(MeterId{name='vertx.eventbus.handlers', tags=[]}), the registration will be ignored. "
        + "Note that subsequent logs will be logged at debug level."));
    assertEquals(FilterReply.NEUTRAL, decide(micrometer, "This Gauge has been already registered "
        + "(MeterId{name='eventhub.connections', tags=[tag(transport=websocket)]}), the registration will be ignored."),
        "a hub gauge registered twice is a mistake of the hub's and stays visible");
    assertEquals(FilterReply.NEUTRAL, decide("io.eventhub.Hub", "This Gauge has been already registered (MeterId{name='vertx."),
        "another logger's line passes");
    assertEquals(FilterReply.NEUTRAL, decide(micrometer, null), "level checks without a message pass");
  }
}
