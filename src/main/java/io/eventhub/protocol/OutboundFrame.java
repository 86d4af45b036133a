package io.eventhub.protocol;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One bridge frame for clients, encoded once and shared by every connection it goes to. The raw
 * endpoint writes {@link #json()} as a text frame; SockJS connections write it as an element of an
 * {@code a[...]} frame, whose escaped form is also computed once, on first use.
 */
public final class OutboundFrame {
  private final Buffer json;
  private long publishedAtMicros;
  private long sinceNanos;
  /** The offset of a stream event's position; 0 for everything else. */
  private long offset;
  private volatile Buffer sockJsElement;
  private volatile Buffer sockJsFrame;

  private OutboundFrame(Buffer json) {
    this.json = json;
  }

  public static OutboundFrame of(JsonObject frame) {
    return new OutboundFrame(frame.toBuffer());
  }

  /** A frame already encoded (by another instance, handing a client over). */
  public static OutboundFrame of(Buffer json) {
    return new OutboundFrame(json);
  }

  /** A message for a client ({@code rec}); {@code replyAddress} is set when the sender awaits a reply. */
  public static OutboundFrame rec(String address, Object body, MultiMap headers, String replyAddress) {
    return rec(address, body, headers, replyAddress, null, 0);
  }

  /**
   * An event of a stream address: its {@code position} ({@code EPOCH:OFFSET}) goes out as header
   * {@code position}; {@code offset} stays with the frame, for a recovery to tell replayed from live.
   */
  public static OutboundFrame rec(String address, Object body, MultiMap headers, String replyAddress,
                                  String position, long offset) {
    JsonObject frame = new JsonObject().put("type", "rec").put("address", address).put("body", body);
    JsonObject headersJson = new JsonObject();
    if (headers != null && !headers.isEmpty()) {
      headers.forEach((name, value) -> {
        if (!name.startsWith(HUB_HEADER_PREFIX)) {
          headersJson.put(name, value);
        }
      });
    }
    if (position != null) {
      headersJson.put(POSITION, position);
    }
    if (!headersJson.isEmpty()) {
      frame.put("headers", headersJson);
    }
    if (replyAddress != null) {
      frame.put("replyAddress", replyAddress);
    }
    OutboundFrame out = of(frame);
    out.offset = offset;
    return out;
  }

  /** A stored event of a stream, replayed: the same frame it was live, with the headers it was stored with. */
  public static OutboundFrame replayed(String address, Object body, JsonObject headers, String position, long offset) {
    JsonObject headersJson = headers.copy().put(POSITION, position);
    OutboundFrame out = of(new JsonObject().put("type", "rec").put("address", address).put("body", body)
        .put("headers", headersJson));
    out.offset = offset;
    return out;
  }

  /**
   * The answer to a register with {@code since} and {@code ack} that the history could serve, ahead of
   * the {@code replayed} events it replays: the client knows it missed nothing even when nothing is
   * replayed. {@code position} is where the replay ends (the stream's position when it was read).
   * Only on request: the official client would hand any frame for a registered address to its handler.
   */
  public static OutboundFrame recovered(String address, String position, int replayed) {
    return of(new JsonObject().put("type", "recovered").put("address", address)
        .put("headers", new JsonObject().put(POSITION, position).put("replayed", String.valueOf(replayed))));
  }

  /** The header of stream events, and of {@code history_unavailable} errors, that holds the position. */
  public static final String POSITION = "position";

  /**
   * An error for the client. {@code address} is the reply address or subscription it concerns, so the
   * official client hands it to the right callback; null for a connection-level error.
   */
  public static OutboundFrame err(ErrorCode code, String message, String address) {
    JsonObject frame = new JsonObject().put("type", "err").put("body", code.wire()).put("message", message);
    if (address != null) {
      frame.put("address", address).put("failureCode", -1).put("failureType", code.wire());
    }
    return of(frame);
  }

  /** An error about a stream address that carries its current position (history_unavailable). */
  public static OutboundFrame err(ErrorCode code, String message, String address, String position) {
    return of(new JsonObject().put("type", "err").put("body", code.wire()).put("message", message)
        .put("address", address).put("failureCode", -1).put("failureType", code.wire())
        .put("headers", new JsonObject().put(POSITION, position)));
  }

  /** Reply failure in the shape the official client passes to a {@code send} callback. */
  public static OutboundFrame replyFailure(String replyAddress, int failureCode, String failureType, String message) {
    return of(new JsonObject().put("type", "err").put("address", replyAddress)
        .put("failureCode", failureCode).put("failureType", failureType).put("message", message));
  }

  /** Why the hub is about to close; sent only where the transport cannot carry a close code. */
  public static OutboundFrame close(int code, String reason) {
    return of(new JsonObject().put("type", "close").put("code", code).put("reason", reason));
  }

  /** Headers the hub adds for itself (the publish time); never sent to clients. */
  public static final String HUB_HEADER_PREFIX = "hub-";

  /** When the event entered the hub (epoch microseconds), 0 if unknown. */
  public long publishedAtMicros() {
    return publishedAtMicros;
  }

  public OutboundFrame publishedAt(long micros) {
    this.publishedAtMicros = micros;
    return this;
  }

  /**
   * Since when the event has been on its way, on the {@link System#nanoTime()} scale: its publish
   * stamp where it has one, else when this instance's fan-out took it from the bus.
   */
  public long sinceNanos() {
    return sinceNanos;
  }

  public OutboundFrame since(long nanos) {
    this.sinceNanos = nanos;
    return this;
  }

  public long offset() {
    return offset;
  }

  public Buffer json() {
    return json;
  }

  public int size() {
    return json.length();
  }

  /** The frame as a JSON string literal, one element of a SockJS {@code a[...]} array. */
  public Buffer sockJsElement() {
    Buffer element = sockJsElement;
    if (element == null) {
      element = Buffer.buffer(Json.encode(json.toString()));
      sockJsElement = element;
    }
    return element;
  }

  /** The frame alone in a SockJS message frame: {@code a["..."]}. */
  public Buffer sockJsFrame() {
    Buffer frame = sockJsFrame;
    if (frame == null) {
      Buffer element = sockJsElement();
      frame = Buffer.buffer(element.length() + 3).appendString("a[").appendBuffer(element).appendString("]");
      sockJsFrame = frame;
    }
    return frame;
  }
}
