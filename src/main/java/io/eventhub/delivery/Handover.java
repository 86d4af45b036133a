package io.eventhub.delivery;

import io.eventhub.metrics.HubMetrics;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.ReplyFailureCodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Rolling updates without lost events. A draining instance does not just cut its clients: each
 * client's subscriptions pass to a {@link Parked} stand-in that keeps the events the client would
 * have got, and the client receives a token ({@code {"type":"resume","token":...}}) before the
 * 4000 close. When it reconnects to another instance and sends the token back, that instance asks the
 * draining one over the event bus for the subscriptions (claim), registers them, and only then takes
 * the kept events (commit): whatever was published before its own registration is in them, and
 * whatever comes after reaches it directly. Events in both are written once.
 *
 * <p>Tokens name the instance that holds the events ({@code <instance>.<secret>}) and are claimed only
 * with the login session the connection was admitted with.
 */
public final class Handover {
  private static final Logger log = LoggerFactory.getLogger(Handover.class);
  /** Events kept per parked client; a client gone longer than this many events resumes with a gap, and is told. */
  public static final int MAX_KEPT_FRAMES = 10_000;
  private static final String ADDRESS_PREFIX = "hub.handover.";
  private static final long REQUEST_TIMEOUT_MILLIS = 5_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final String RESUMED = "resumed";
  private static final String EXPIRED = "expired";
  private static final String OVERFLOWED = "overflowed";
  private static final String REFUSED = "refused";

  private final EventBus bus;
  private final HubMetrics metrics;
  private final FanOut fanOut;
  private final String instanceId = UUID.randomUUID().toString();
  private final long keepMillis;
  private final Map<String, Parked> parked = new ConcurrentHashMap<>();
  private final Promise<Void> allGone = Promise.promise();
  private final MessageConsumer<JsonObject> endpoint;
  private volatile boolean closing;
  private final AtomicInteger resumed = new AtomicInteger();
  private final AtomicInteger notResumed = new AtomicInteger();

  /** {@code keepSeconds}: how long a drain keeps closed clients' events for them to resume elsewhere. */
  public Handover(EventBus bus, FanOut fanOut, HubMetrics metrics, int keepSeconds) {
    this.bus = bus;
    this.fanOut = fanOut;
    this.metrics = metrics;
    metrics.registerHandovers(RESUMED, EXPIRED, OVERFLOWED, REFUSED);
    this.keepMillis = keepSeconds * 1000L;
    this.endpoint = bus.consumer(ADDRESS_PREFIX + instanceId, this::answer);
  }

  /** Completes once this instance can be asked for the events it keeps (cluster-wide registration). */
  public Future<Void> ready() {
    return endpoint.completion();
  }

  public boolean enabled() {
    return keepMillis > 0;
  }

  // ---- the draining instance ----

  /**
   * Called on a connection's context as it is closed for a drain: the stand-in takes over its
   * subscriptions in the same event-loop turn, so no event falls between them. {@code sessionId} is the
   * login the token can later be claimed with. Returns the token.
   */
  public String park(Context context, String sessionId, Set<String> addresses) {
    String token = instanceId + "." + secret();
    Parked standIn = new Parked(token, context, sessionId, addresses);
    parked.put(token, standIn);
    addresses.forEach(address -> fanOut.subscribe(address, standIn));
    context.owner().setTimer(keepMillis, id -> {
      if (standIn.release(EXPIRED)) {
        log.info("A drained client did not resume within {} ms; its kept events are dropped", keepMillis);
      }
    });
    return token;
  }

  /** After the drain has closed every connection: completes when every parked client resumed or expired. */
  public Future<Void> allResumed() {
    closing = true;
    completeIfEmpty();
    return allGone.future();
  }

  /** Drained clients that claimed their events on another instance. */
  public int resumedCount() {
    return resumed.get();
  }

  /** Drained clients that were handed a token and did not resume: not back in time, or too much missed. */
  public int notResumedCount() {
    return notResumed.get();
  }

  private void completeIfEmpty() {
    if (closing && parked.isEmpty()) {
      allGone.tryComplete();
    }
  }

  private void answer(Message<JsonObject> request) {
    JsonObject body = request.body();
    Parked standIn = parked.get(body.getString("token", ""));
    if (standIn == null) {
      metrics.handover(REFUSED);
      request.fail(404, "unknown or expired token");
      return;
    }
    if (!Objects.equals(standIn.sessionId, body.getString("session"))) {
      // A token is only as good as the login it was issued to.
      metrics.handover(REFUSED);
      request.fail(403, "token belongs to another login session");
      return;
    }
    switch (body.getString("op", "")) {
      case "claim" -> request.reply(new JsonObject().put("addresses", new JsonArray(List.copyOf(standIn.addresses))));
      // The events published before the resuming instance registered may still be on their way
      // through this one's consumers and flush interval: they are the stand-in's before it lets go.
      case "commit" -> fanOut.settle(standIn.addresses, standIn).onComplete(settled -> {
        if (standIn.overflowed) {
          standIn.release(OVERFLOWED);
          request.fail(410, "more than " + MAX_KEPT_FRAMES + " events were missed");
        } else if (standIn.release(RESUMED)) {
          request.reply(new JsonObject().put("events", new JsonArray(standIn.kept)));
        } else {
          request.fail(404, "expired");
        }
      });
      default -> request.fail(400, "unknown op");
    }
  }

  // ---- the instance the client comes back to ----

  /**
   * Takes over what the token's instance kept for the client: registers its subscriptions on
   * {@code connection} (through {@code register}, which returns when the registration is visible to
   * the cluster), waits until this instance's own publishes reach them, and returns the events it
   * missed, in order.
   */
  public Future<List<OutboundFrame>> resume(String token, String sessionId, Function<String, Future<Void>> register) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return Future.failedFuture("malformed token");
    }
    String owner = ADDRESS_PREFIX + token.substring(0, dot);
    JsonObject request = new JsonObject().put("token", token).put("session", sessionId);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MILLIS);
    return bus.<JsonObject>request(owner, request.copy().put("op", "claim"), options)
        .compose(claimed -> {
          List<String> addresses = claimed.body().getJsonArray("addresses").stream().map(String.class::cast).toList();
          return Future.join(addresses.stream().map(register).toList())
              // Until this instance routes its own publishes here, they reach only the instance that
              // keeps the events: one published after the commit would be nobody's.
              .compose(registered -> Future.join(addresses.stream().map(fanOut::routed).toList()));
        })
        .compose(registered -> bus.<JsonObject>request(owner, request.copy().put("op", "commit"), options))
        .map(committed -> committed.body().getJsonArray("events").stream().map(JsonObject.class::cast)
            .map(event -> OutboundFrame.of(Buffer.buffer(event.getString("frame"))).publishedAt(event.getLong("publishedAt")))
            .toList());
  }

  private static String secret() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A closed client's subscriptions, keeping its events until it resumes elsewhere or the time is up. */
  private final class Parked implements Subscriber {
    final String token;
    final Context context;
    final String sessionId;
    final Set<String> addresses;
    /** Each event's frame and publish stamp, which tells apart events whose bytes are the same. */
    final List<JsonObject> kept = new ArrayList<>();
    boolean overflowed;
    private boolean released;

    Parked(String token, Context context, String sessionId, Set<String> addresses) {
      this.token = token;
      this.context = context;
      this.sessionId = sessionId;
      this.addresses = Set.copyOf(addresses);
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public int deliver(Batch batch) {
      if (released || overflowed) {
        return 0;
      }
      if (kept.size() + batch.size() > MAX_KEPT_FRAMES) {
        overflowed = true;
        kept.clear();
        return 0;
      }
      batch.frames().forEach(frame -> kept.add(new JsonObject()
          .put("frame", frame.json().toString()).put("publishedAt", frame.publishedAtMicros())));
      return 0;
    }

    @Override
    public void deliverPointToPoint(String address, Message<Object> message) {
      // A send picks one receiver now; it cannot wait for a client that may never come back.
      message.fail(ReplyFailureCodes.CLIENT_GONE, "client is moving to another instance");
    }

    /** On the parked context: stops keeping events and counts how it ended. False if already released. */
    boolean release(String outcome) {
      if (released) {
        return false;
      }
      released = true;
      (RESUMED.equals(outcome) ? resumed : notResumed).incrementAndGet();
      metrics.handover(outcome);
      addresses.forEach(address -> fanOut.unsubscribe(address, this));
      parked.remove(token);
      completeIfEmpty();
      return true;
    }
  }
}
