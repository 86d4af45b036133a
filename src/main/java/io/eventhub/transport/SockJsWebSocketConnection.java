package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.delivery.Batch;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.WireFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

/**
 * SockJS's websocket transport ({@code /eventbus/<server>/<session>/websocket}), the path browsers
 * take. The SockJS framing is simple (open {@code o}, heartbeat {@code h}, messages {@code a[...]},
 * close {@code c[code,"reason"]}) and doing it here lets every socket receive the same pre-built bytes.
 */
final class SockJsWebSocketConnection extends WebSocketConnection {
  /** Built once: every socket writes a view of the same bytes. */
  private static final ByteBuf OPEN = Unpooled.unreleasableBuffer(WireFrames.textFrame(Buffer.buffer("o")));
  private static final ByteBuf HEARTBEAT = Unpooled.unreleasableBuffer(WireFrames.textFrame(Buffer.buffer("h")));

  SockJsWebSocketConnection(Bridge bridge, FrameSocket socket, AuthResult auth, long silenceMillis) {
    super(bridge, socket, auth, "sockjs-websocket", silenceMillis);
    socket.textMessageHandler(this::handleSockJsFrame);
    wire.writeShared(OPEN);
  }

  /** A client frame is a JSON array of strings, or one JSON string; each string is a bridge frame. */
  private void handleSockJsFrame(String text) {
    if (text.isEmpty()) {
      return;
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      socket.close(1002, "broken SockJS framing");
      return;
    }
    if (decoded instanceof String message) {
      handleMessage(message);
    } else if (decoded instanceof JsonArray messages) {
      for (Object message : messages) {
        if (closed()) {
          return;
        }
        handleMessage(message instanceof String s ? s : String.valueOf(message));
      }
    } else {
      socket.close(1002, "broken SockJS framing");
    }
  }

  @Override
  protected void writeFrame(OutboundFrame frame) {
    write(frame.sockJsFrame());
  }

  @Override
  protected void writeBatch(Batch batch) {
    wire.writeShared(batch.sockJsWire());
  }

  @Override
  protected void sendClose(int code, String reason) {
    write(closeFrame(code, reason));
    socket.close(1000, "");
  }

  /** SockJS's own heartbeat, which its client library watches; the ping beside it is for the silence check. */
  @Override
  protected void keepAlive() {
    wire.writeShared(HEARTBEAT);
  }

  /** The close frame alone: a SockJS client reads the first close frame it gets, open or not. */
  static void refuse(FrameSocket socket, int code, String reason) {
    socket.wire().write(WireFrames.textFrame(closeFrame(code, reason)));
    socket.close(1000, "");
  }

  private static Buffer closeFrame(int code, String reason) {
    return Buffer.buffer("c" + new JsonArray().add(code).add(reason).encode());
  }

  private void write(Buffer frame) {
    wire.write(WireFrames.textFrame(frame));
  }
}
