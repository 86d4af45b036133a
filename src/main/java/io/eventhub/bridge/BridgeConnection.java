package io.eventhub.bridge;

import io.eventhub.auth.AuthResult;
import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client, whatever its transport: reads bridge frames (register, unregister, send, publish,
 * ping), enforces permissions and limits, and writes what the fan-out delivers. All methods run on the
 * connection's own context; subclasses only move bytes.
 */
public abstract class BridgeConnection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(BridgeConnection.class);
  /** Replies a client may owe at once; more would let one client pin unbounded messages. */
  private static final int MAX_PENDING_REPLIES = 1000;
  /** Longest a copy of a replayed event can trail the replay on this instance: a bus hop, not a network wait. */
  private static final long REPLAY_WINDOW_MILLIS = 5_000;

  protected final Bridge bridge;
  private final HubConfig.Bridge limits;
  private final Context context;
  private final Identity identity;
  private final String sessionId;
  private final AddressRules rules;
  private final String transport;
  private final Set<String> subscriptions = new HashSet<>();
  private final Map<String, Message<Object>> pendingReplies = new HashMap<>();
  /** While resuming: the events that arrive here before the missed ones from the draining instance are written. */
  private List<OutboundFrame> held;
  /** Just after a resume: the events replayed to it, so that their copies arriving here are not written twice. */
  private Replayed replayed;
  private long rateWindowStart;
  private int rateWindowCount;
  private boolean closed;

  protected BridgeConnection(Bridge bridge, Context context, AuthResult auth, String transport) {
    this.bridge = bridge;
    this.limits = bridge.config();
    this.context = context;
    this.identity = auth.identity();
    this.sessionId = auth.sessionId();
    this.rules = AddressRules.of(limits.permissions(), identity);
    this.transport = transport;
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

  public String transport() {
    return transport;
  }

  public boolean closed() {
    return closed;
  }

  protected void opened() {
    bridge.connections().add(this);
  }

  /** One bridge frame from the client, as text. */
  protected void handleMessage(String text) {
    if (closed) {
      return;
    }
    if (exceedsFrameLimit(text)) {
      writeFrame(OutboundFrame.err(ErrorCode.FRAME_TOO_LARGE,
          "frame exceeds " + limits.maxFrameBytes() + " bytes", null));
      close(CloseCodes.FRAME_TOO_LARGE, "frame too large");
      return;
    }
    if (!withinRate()) {
      return;
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
    if ("ping".equals(type)) {
      return;
    }
    if ("resume".equals(type)) {
      resume(frame.getValue("token"));
      return;
    }
    if (!"register".equals(type) && !"unregister".equals(type) && !"send".equals(type) && !"publish".equals(type)) {
      refuse(ErrorCode.UNKNOWN_TYPE, "unknown frame type \"" + type + "\"", null);
      return;
    }
    InboundFrame inbound;
    try {
      inbound = InboundFrame.parse(frame);
    } catch (InboundFrame.Invalid e) {
      refuse(e.code, e.getMessage(), e.replyAddress);
      return;
    }
    switch (inbound.type()) {
      case "register" -> register(inbound.address());
      case "unregister" -> unregister(inbound.address());
      case "publish" -> publish(inbound);
      default -> send(inbound);
    }
  }

  /** Completes when the subscription is in place (or refused, with an {@code err} to the client). */
  private Future<Void> register(String address) {
    if (closed) {
      return Future.succeededFuture();
    }
    if (!rules.maySubscribe(address)) {
      refuse(ErrorCode.ACCESS_DENIED, "not allowed to subscribe to " + address, address);
    } else if (subscriptions.contains(address)) {
      return Future.succeededFuture();
    } else if (subscriptions.size() >= limits.maxSubscriptionsPerConnection()) {
      refuse(ErrorCode.MAX_SUBSCRIPTIONS,
          "at most " + limits.maxSubscriptionsPerConnection() + " subscriptions per connection", address);
    } else {
      subscriptions.add(address);
      return bridge.fanOut().subscribe(address, this);
    }
    return Future.succeededFuture();
  }

  /**
   * The client was moved off a draining instance and brings its token: events arriving here are held
   * while its old subscriptions are registered here and the events it missed are fetched, then the
   * missed ones are written first and the held ones after them, each event once.
   */
  private void resume(Object token) {
    if (!(token instanceof String text) || held != null) {
      refuse(ErrorCode.RESUME_FAILED, held != null ? "already resuming" : "resume needs a \"token\" string", null);
      return;
    }
    held = new ArrayList<>();
    bridge.handover().resume(text, sessionId, this::register).onComplete(result -> {
      if (closed) {
        return;
      }
      if (result.failed()) {
        refuse(ErrorCode.RESUME_FAILED, "cannot resume: " + result.cause().getMessage(), null);
      }
      releaseHeld(result.succeeded() ? result.result() : List.of());
    });
  }

  /** Writes the missed events, then what arrived meanwhile less what was among them. */
  private void releaseHeld(List<OutboundFrame> missed) {
    List<OutboundFrame> arrived = held;
    held = null;
    replayed = new Replayed(missed);
    List<OutboundFrame> frames = new ArrayList<>(missed);
    frames.addAll(replayed.unsent(arrived));
    if (!frames.isEmpty()) {
      writeOwnBatch(frames);
    }
    // Copies still on their way here (this instance's own delivery can trail the draining one's
    // answer) are caught for a while; per-connection work, but only just after a resume.
    if (!replayed.isEmpty()) {
      bridge.vertx().setTimer(REPLAY_WINDOW_MILLIS, id -> replayed = null);
    } else {
      replayed = null;
    }
  }

  private void unregister(String address) {
    if (subscriptions.remove(address)) {
      bridge.fanOut().unsubscribe(address, this);
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

  private void send(InboundFrame frame) {
    Message<Object> awaitingReply = pendingReplies.remove(frame.address());
    if (awaitingReply != null) {
      reply(awaitingReply, frame);
      return;
    }
    if (!rules.maySend(frame.address())) {
      refuse(ErrorCode.ACCESS_DENIED, "not allowed to send to " + frame.address(), frame.replyAddress());
      return;
    }
    DeliveryOptions options = frame.deliveryOptions();
    if (frame.replyAddress() == null) {
      bridge.bus().send(frame.address(), frame.body(), options);
      return;
    }
    options.setSendTimeout(limits.replyTimeoutMillis());
    bridge.bus().request(frame.address(), frame.body(), options)
        .onComplete(result -> forwardReply(frame.replyAddress(), result.result(), result.cause()));
  }

  private void reply(Message<Object> message, InboundFrame frame) {
    DeliveryOptions options = frame.deliveryOptions();
    if (frame.replyAddress() == null) {
      message.reply(frame.body(), options);
      return;
    }
    options.setSendTimeout(limits.replyTimeoutMillis());
    message.replyAndRequest(frame.body(), options)
        .onComplete(result -> forwardReply(frame.replyAddress(), result.result(), result.cause()));
  }

  private void forwardReply(String replyAddress, Message<Object> reply, Throwable failure) {
    if (closed) {
      if (reply != null && reply.replyAddress() != null) {
        reply.fail(ReplyFailureCodes.CLIENT_GONE, "client disconnected");
      }
      return;
    }
    if (failure != null) {
      ReplyException replyFailure = failure instanceof ReplyException r ? r : null;
      writeFrame(OutboundFrame.replyFailure(replyAddress,
          replyFailure != null ? replyFailure.failureCode() : -1,
          replyFailure != null ? replyFailure.failureType().name() : "RECIPIENT_FAILURE",
          failure.getMessage()));
      return;
    }
    writeFrame(OutboundFrame.rec(replyAddress, reply.body(), reply.headers(), awaitReply(reply)));
  }

  @Override
  public int deliver(Batch batch) {
    if (closed) {
      return 0;
    }
    if (held != null) {
      if (held.size() + batch.size() > Handover.MAX_KEPT_FRAMES) {
        slowConsumer(batch.size());
        return 0;
      }
      held.addAll(batch.frames());
      return batch.size();
    }
    List<OutboundFrame> unsent = replayed == null ? batch.frames() : replayed.unsent(batch.frames());
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
    writeFrame(OutboundFrame.rec(address, message.body(), message.headers(), awaitReply(message)));
  }

  /** Remembers a message whose sender awaits the client's reply, until the reply timeout. */
  private String awaitReply(Message<Object> message) {
    String replyAddress = message.replyAddress();
    if (replyAddress == null || pendingReplies.size() >= MAX_PENDING_REPLIES) {
      return null;
    }
    pendingReplies.put(replyAddress, message);
    bridge.vertx().setTimer(limits.replyTimeoutMillis(), id -> pendingReplies.remove(replyAddress));
    return replyAddress;
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

  private boolean exceedsFrameLimit(String text) {
    int max = limits.maxFrameBytes();
    if (text.length() > max) {
      return true;
    }
    return text.length() * 3L > max && text.getBytes(StandardCharsets.UTF_8).length > max;
  }

  /** Fixed one-second windows: over the limit, frames are refused; over twice the limit, the client is cut off. */
  private boolean withinRate() {
    long now = System.nanoTime();
    if (now - rateWindowStart >= 1_000_000_000L) {
      rateWindowStart = now;
      rateWindowCount = 0;
    }
    int max = limits.maxMessagesPerSecond();
    rateWindowCount++;
    if (rateWindowCount <= max) {
      return true;
    }
    if (rateWindowCount > 2 * max) {
      close(CloseCodes.RATE_LIMITED, "message rate exceeded");
    } else {
      refuse(ErrorCode.RATE_LIMITED, "more than " + max + " messages per second", null);
    }
    return false;
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
      String token = handover.park(this, subscriptions);
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
      bridge.fanOut().unsubscribe(address, this);
    }
    subscriptions.clear();
    pendingReplies.values().forEach(m -> m.fail(ReplyFailureCodes.CLIENT_GONE, "client disconnected"));
    pendingReplies.clear();
    bridge.connections().remove(this);
  }
}
