package io.eventhub.testing;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real network client of the hub's bridge over one transport. Received bridge frames queue up in
 * order; tests take them with {@link #next()} and the close code with {@link #awaitClose()}.
 */
public abstract class BridgeClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  public record CloseInfo(int code, String reason) {}

  protected final LinkedBlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  protected final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();

  /** Sends one bridge frame. */
  public void send(JsonObject frame) {
    sendText(frame.encode());
  }

  /** Sends one bridge message as given, well-formed or not. */
  public abstract void sendText(String text);

  public JsonObject next() {
    try {
      JsonObject frame = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + TIMEOUT + (closed.isDone() ? "; closed " + closed.getNow(null) : ""));
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Frames received so far and not yet taken. */
  public int pending() {
    return received.size();
  }

  public CloseInfo awaitClose() {
    try {
      return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not closed within " + TIMEOUT);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /**
   * The SockJS frame the hub answered the handshake with: {@code o}, or {@code c[code,"reason"]} for
   * a refusal; null for the raw endpoint, which has no SockJS framing.
   */
  public String firstFrame() {
    return null;
  }

  public void register(String address) {
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /**
   * Returns once the hub has handled every frame sent before: frames are handled in order, and a
   * register to an address no test may use always comes back as an {@code access_denied} error.
   */
  public void sync() {
    send(BARRIER);
    JsonObject reply = next();
    if (!isBarrier(reply)) {
      throw new AssertionError("expected the sync barrier's access_denied, got " + abbreviate(reply));
    }
  }

  /** Like {@link #sync()}, taking and counting the events that were queued before the barrier. */
  public int syncSkippingEvents() {
    send(BARRIER);
    int skipped = 0;
    for (JsonObject frame = next(); !isBarrier(frame); frame = next()) {
      if (!"rec".equals(frame.getString("type"))) {
        throw new AssertionError("expected events, then the sync barrier; got " + abbreviate(frame));
      }
      skipped++;
    }
    return skipped;
  }

  private static final JsonObject BARRIER = new JsonObject().put("type", "register").put("address", "sync.barrier");

  private static boolean isBarrier(JsonObject frame) {
    return "err".equals(frame.getString("type")) && "sync.barrier".equals(frame.getString("address"));
  }

  public static String abbreviate(Object value) {
    String text = String.valueOf(value);
    return text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
  }

  protected void deliver(String frameText) {
    received.add(new JsonObject(frameText));
  }

  @Override
  public abstract void close();
}
