package io.eventhub.bridge;

import io.eventhub.auth.AuthResult;
import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import io.eventhub.delivery.Batch;
import io.eventhub.delivery.Handover;
import io.eventhub.delivery.Subscriber;
import io.eventhub.history.History;
import io.eventhub.history.Read;
import io.eventhub.protocol.CloseCodes;
import io.eventhub.protocol.ErrorCode;
import io.eventhub.protocol.InboundFrame;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.ReplyFailureCodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client, whatever its transport: reads bridge frames (register, unregister, send, publish,
 * ping, resume), enforces permissions and limits, and writes what the fan-out delivers. All methods
 * run on the connection's own context; the transports (package {@code io.eventhub.transport}) only
 * move bytes.
 */
public abstract class BridgeConnection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(BridgeConnection.class);

  private final Bridge bridge;
  private final HubConfig.Bridge limits;
  private final Context context;
  private final Identity identity;
  private final String sessionId;
  private final String clientAddress;
  private final AddressRules rules;
  private final String transport;
  private final InboundLimits inbound;
  private final Set<String> subscriptions = new HashSet<>();
  /** Made with the first point-to-point message either way. */
  private PointToPoint pointToPoint;
  /** Made when the client resumes after a drain elsewhere. */
  private Resumption resumption;
  /** Made with the first register that asks for history. */
  private Recovery recovery;
  private boolean closed;

  protected BridgeConnection(Bridge bridge, Context context, AuthResult auth, String transport) {
    this.bridge = bridge;
    this.limits = bridge.config();
    this.context = context;
    this.identity = auth.identity();
    this.sessionId = auth.sessionId();
    this.clientAddress = auth.clientAddress();
    this.rules = AddressRules.of(limits.permissions(), identity, bridge.presence()::tracks);
    this.transport = transport;
    this.inbound = new InboundLimits(limits.maxFrameBytes(), limits.maxMessagesPerSecond());
  }

  /** Writes one frame now. */
  protected abstract void writeFrame(OutboundFrame frame);

  /** Writes a turn's worth of frames for one address; a transport that can coalesce them overrides this. */
  protected void writeBatch(Batch batch) {
    for (OutboundFrame frame : batch.frames()) {
      writeFrame(frame);
    }
  }

  protected abstract boolean writeQueueFull();

  /** How late what waits for the client in the socket's buffers is; -1: nothing written meanwhile (sampler's thread). */
  protected long outboundLagNanos(Map<String, Long> kernelQueues, long intervalNanos) {
    return -1;
  }

  /** Tells the client why and closes; the transport reports the end through {@link #onTransportClosed()}. */
  protected abstract void closeTransport(int code, String reason);

  /** Keeps idle connections (and the proxies in between) alive; transports that need none do nothing. */
  protected void heartbeat() {
  }

  @Override
  public Context context() {
    return context;
  }

  public Identity identity() {
    return identity;
  }

  /** The login session this connection was admitted with; null for anonymous connections. */
  public String sessionId() {
    return sessionId;
  }

  /** The client's address (X-Forwarded-For from a trusted proxy, else the peer's); null if unknown. */
  public String clientAddress() {
    return clientAddress;
  }

  public String transport() {
    return transport;
  }

  public boolean closed() {
    return closed;
  }

  /** Called once by the transport when it is open: the connection counts, and can be drained, revoked and sent heartbeats. */
  public final void opened() {
    // The handshake checked too; this decides for good when parallel handshakes of one user raced.
    if (!bridge.connections().add(this)) {
      close(CloseCodes.TOO_MANY, "too many connections");
    }
  }

  /** One bridge frame from the client, as text. */
  protected void handleMessage(String text) {
    if (closed) {
      return;
    }
    switch (inbound.check(text)) {
      case TOO_LARGE -> {
        refuse(ErrorCode.FRAME_TOO_LARGE, "frame exceeds " + inbound.maxFrameBytes() + " bytes", null);
        close(CloseCodes.FRAME_TOO_LARGE, "frame too large");
        return;
      }
      case RATE_REFUSED -> {
        refuse(ErrorCode.RATE_LIMITED, "more than " + inbound.maxPerSecond() + " messages per second", null);
        return;
      }
      case RATE_CUT_OFF -> {
        close(CloseCodes.RATE_LIMITED, "message rate exceeded");
        return;
      }
      case PASS -> { }
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      refuse(ErrorCode.INVALID_JSON, "frame is not a JSON object", null);
      return;
    }
    handleFrame(frame);
  }

  private void handleFrame(JsonObject frame) {
    Object type = frame.getValue("type");
    if (!(type instanceof String)) {
      refuse(ErrorCode.UNKNOWN_TYPE, "frame has no \"type\" string", null);
      return;
    }
    switch ((String) type) {
      case "ping" -> { }
      case "resume" -> resume(frame.getValue("token"));
      case "register", "unregister", "send", "publish" -> handleAddressed(frame);
      default -> refuse(ErrorCode.UNKNOWN_TYPE, "unknown frame type \"" + type + "\"", null);
    }
  }

  private void handleAddressed(JsonObject frame) {
    InboundFrame inbound;
    try {
      inbound = InboundFrame.parse(frame);
    } catch (InboundFrame.Invalid e) {
      refuse(e.code, e.getMessage(), e.replyAddress);
      return;
    }
    switch (inbound.type()) {
      case "register" -> register(inbound.address(), inbound.header("since"), inbound.header("ack") != null);
      case "unregister" -> unregister(inbound.address());
      case "publish" -> publish(inbound);
      default -> pointToPoint().send(inbound, rules);
    }
  }

  /**
   * Completes when the subscription is in place (or refused, with an {@code err} to the client). With
   * {@code since} on a stream address, the events after it are replayed first (and {@code ack} asks for
   * a {@code recovered} frame ahead of them; see {@link Recovery}).
   */
  private Future<Void> register(String address, String since, boolean ack) {
    if (closed || subscriptions.contains(address)) {
      return Future.succeededFuture();
    }
    if (!rules.maySubscribe(address)) {
      refuse(ErrorCode.ACCESS_DENIED, "not allowed to subscribe to " + address, address);
    } else if (subscriptions.size() >= limits.maxSubscriptionsPerConnection()) {
      refuse(ErrorCode.MAX_SUBSCRIPTIONS,
          "at most " + limits.maxSubscriptionsPerConnection() + " subscriptions per connection", address);
    } else {
      subscriptions.add(address);
      History history = bridge.publisher().history();
      if (since == null || history.streamOf(address) == null) {
        return bridge.subscribe(address, this);
      }
      recovery = recovery == null ? new Recovery(bridge.metrics()) : recovery;
      recovery.begin(address, ack);
      return bridge.subscribe(address, this)
          .compose(v -> Recovery.read(history, address, since))
          .andThen(read -> context.runOnContext(v -> recovered(address, read.succeeded() ? read.result() : null)))
          .mapEmpty();
    }
    return Future.succeededFuture();
  }

  private void recovered(String address, Read read) {
    List<OutboundFrame> frames = closed ? null : recovery.complete(address, read);
    if (frames != null && !frames.isEmpty()) {
      writeOwnBatch(frames);
    }
  }

  /**
   * The client was moved off a draining instance and brings its token: its old subscriptions are
   * registered here and the events it missed are fetched (see {@link Handover}), then written before
   * whatever arrived here meanwhile, each event once.
   */
  private void resume(Object token) {
    boolean resuming = resumption != null && resumption.inProgress();
    if (!(token instanceof String text) || resuming) {
      refuse(ErrorCode.RESUME_FAILED, resuming ? "already resuming" : "resume needs a \"token\" string", null);
      return;
    }
    if (resumption == null) {
      resumption = new Resumption(bridge.vertx());
    }
    resumption.begin();
    bridge.handover().resume(text, sessionId, address -> register(address, null, false)).onComplete(result -> {
      if (closed) {
        return;
      }
      if (result.failed()) {
        refuse(ErrorCode.RESUME_FAILED, "cannot resume: " + result.cause().getMessage(), null);
      }
      List<OutboundFrame> frames = resumption.complete(result.succeeded() ? result.result() : List.of());
      if (!frames.isEmpty()) {
        writeOwnBatch(frames);
      }
    });
  }

  private void unregister(String address) {
    if (subscriptions.remove(address)) {
      if (recovery != null) {
        recovery.cancel(address);
      }
      bridge.unsubscribe(address, this);
    }
  }

  private void publish(InboundFrame frame) {
    if (!rules.mayPublish(frame.address())) {
      refuse(ErrorCode.ACCESS_DENIED, "not allowed to publish to " + frame.address(), null);
      return;
    }
    if (bridge.publisher().lag().refusing()) {
      refuse(ErrorCode.OVERLOADED, "the hub is behind with its deliveries; publish again in "
          + bridge.publisher().lag().retryAfterSeconds() + " s", null);
      return;
    }
    bridge.publisher().publish(frame.address(), frame.body(), frame.deliveryOptions(), "client");
  }

  @Override
  public int deliver(Batch batch) {
    if (closed) {
      return 0;
    }
    if (recovery != null && recovery.recovering(batch.address())) {
      if (!recovery.hold(batch.address(), batch.frames())) {
        slowConsumer(batch.size());
        return 0;
      }
      return batch.size();
    }
    if (resumption != null && resumption.inProgress()) {
      if (!resumption.hold(batch.frames())) {
        slowConsumer(batch.size());
        return 0;
      }
      return batch.size();
    }
    List<OutboundFrame> unsent = resumption == null ? batch.frames() : resumption.unsent(batch.frames());
    unsent = recovery == null ? unsent : recovery.unsent(batch.address(), unsent);
    if (unsent.isEmpty()) {
      return 0;
    }
    if (writeQueueFull()) {
      slowConsumer(unsent.size());
      return 0;
    }
    if (unsent.size() == batch.size()) {
      writeBatch(batch);
    } else {
      writeOwnBatch(unsent);
    }
    return unsent.size();
  }

  /** A batch for this connection alone (after a resume), whose bytes nobody else shares. */
  private void writeOwnBatch(List<OutboundFrame> frames) {
    Batch batch = new Batch(frames);
    try {
      writeBatch(batch);
    } finally {
      batch.release();
    }
  }

  @Override
  public void deliverPointToPoint(String address, Message<Object> message) {
    if (closed || writeQueueFull()) {
      message.fail(ReplyFailureCodes.CLIENT_GONE, "client cannot take the message");
      if (!closed) {
        slowConsumer(1);
      }
      return;
    }
    pointToPoint().deliver(address, message);
  }

  private PointToPoint pointToPoint() {
    if (pointToPoint == null) {
      pointToPoint = new PointToPoint(this, bridge.bus(), limits.replyTimeoutMillis());
    }
    return pointToPoint;
  }

  Bridge bridge() {
    return bridge;
  }

  private void slowConsumer(int frames) {
    if (limits.slowConsumerPolicy() == HubConfig.SlowConsumerPolicy.DISCONNECT) {
      log.info("Disconnecting a slow {} client: its write queue is over {} bytes", transport,
          limits.writeQueueMaxBytes());
      close(CloseCodes.SLOW_CONSUMER, "slow consumer");
    } else {
      bridge.connections().countDropped(frames);
    }
  }

  private void refuse(ErrorCode code, String message, String address) {
    writeFrame(OutboundFrame.err(code, message, address));
  }

  /**
   * Draining: hands the subscriptions to a stand-in that keeps this client's events, gives the client
   * the token to claim them on another instance, and closes with 4000.
   */
  void drain(Handover handover) {
    if (closed) {
      return;
    }
    if (handover.enabled() && !subscriptions.isEmpty()) {
      String token = handover.park(context, sessionId, subscriptions);
      writeFrame(OutboundFrame.of(new JsonObject().put("type", "resume").put("token", token)));
    }
    close(CloseCodes.RECONNECT, "reconnect");
  }

  /** Closes with a code and reason the client can act on. Idempotent. */
  public void close(int code, String reason) {
    if (closed) {
      return;
    }
    bridge.metrics().disconnected(CloseCodes.reason(code));
    closeTransport(code, reason);
    onTransportClosed();
  }

  /** The transport is gone: release everything this connection held. Idempotent. */
  protected void onTransportClosed() {
    if (closed) {
      return;
    }
    closed = true;
    for (String address : subscriptions) {
      bridge.unsubscribe(address, this);
    }
    subscriptions.clear();
    if (pointToPoint != null) {
      pointToPoint.close();
    }
    bridge.connections().remove(this);
  }
}
