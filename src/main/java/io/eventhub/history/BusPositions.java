package io.eventhub.history;

import io.eventhub.cluster.RouteProbe;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * Positions for events that services put on the bus themselves: an outbound interceptor stores each
 * event published to a stream address and sets its position header before the bus delivers it.
 * Events that entered through the hub's publisher already carry one and pass untouched, as do
 * addresses that are not streams (one cached lookup) and the hub's route probes.
 */
public final class BusPositions {
  private BusPositions() {}

  public static void install(EventBus bus, History history) {
    bus.addOutboundInterceptor(context -> {
      Message<?> message = context.message();
      var stream = message.isSend() ? null : history.streamOf(message.address());
      if (stream == null || message.headers().contains(History.POSITION_HEADER) || RouteProbe.isProbe(message)) {
        context.next();
        return;
      }
      history.append(message.address(), stream, context.body(), message.headers(), position -> {
        message.headers().set(History.POSITION_HEADER, position.toString());
        context.next();
      });
    });
  }
}
