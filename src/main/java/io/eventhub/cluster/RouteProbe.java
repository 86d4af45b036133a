package io.eventhub.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Tells when this member's own publishes to an address reach its new consumer there. Vert.x routes a
 * publish by a cache of the address's registrations that learns of a new consumer after the fact (a
 * Hazelcast event, then a throttled re-read), so for a moment after a registration completes, even
 * this member's publishes go to the others only. Where that moment matters (a resumed client's commit,
 * see the handover), a probe (no body, header {@value #HEADER}) is published until one comes back.
 * Every consumer of the hub's treats a probe as nobody's event.
 */
public final class RouteProbe {
  private static final Logger log = LoggerFactory.getLogger(RouteProbe.class);
  public static final String HEADER = "hub-probe";
  /** Vert.x re-reads a changed address at most every 20 ms: a probe sent before that goes elsewhere. */
  private static final long RETRY_MILLIS = 10;
  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Context context;
  private final EventBus bus;
  private final String address;
  private final String token = UUID.randomUUID().toString();
  private final Promise<Void> routed = Promise.promise();
  private boolean sent;

  /** {@code context}: where the consumer receives, which also sends the probes. */
  public RouteProbe(Context context, EventBus bus, String address) {
    this.context = context;
    this.bus = bus;
    this.address = address;
  }

  /** Whether {@code message} is a probe (anyone's): cheap for events, which have a body. */
  public static boolean isProbe(Message<?> message) {
    return message.body() == null && message.headers().contains(HEADER);
  }

  /**
   * Completes once a probe published here came back to this member's consumer; after five seconds
   * without one it completes all the same (logged), as it did before there were probes.
   */
  public synchronized Future<Void> routed() {
    if (!sent) {
      sent = true;
      long deadline = System.nanoTime() + GIVE_UP_NANOS;
      context.runOnContext(v -> send(deadline));
    }
    return routed.future();
  }

  /** The consumer received a probe: this member's routing reaches it when the probe is its own. */
  public void received(Message<?> message) {
    if (token.equals(message.headers().get(HEADER))) {
      routed.tryComplete();
    }
  }

  private void send(long deadline) {
    if (routed.future().isComplete()) {
      return;
    }
    if (System.nanoTime() - deadline > 0) {
      log.warn("This member's publishes to {} did not reach its own consumer within 5 s; going on", address);
      routed.tryComplete();
      return;
    }
    bus.publish(address, null, new DeliveryOptions().addHeader(HEADER, token));
    context.owner().setTimer(RETRY_MILLIS, id -> send(deadline));
  }
}
