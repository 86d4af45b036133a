package io.eventhub.delivery;

import io.vertx.core.Context;
import io.vertx.core.eventbus.Message;

/** A client connection as the fan-out sees it. Every call arrives on the connection's own context. */
public interface Subscriber {
  Context context();

  /** Published events for one address, already encoded; returns the frames written (not dropped). */
  int deliver(Batch batch);

  /** A point-to-point message ({@code send}); this subscriber was picked to receive it. */
  void deliverPointToPoint(String address, Message<Object> message);
}
