package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.BridgeConnection;
import io.eventhub.delivery.Batch;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.WireFrames;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

/**
 * SockJS's websocket transport ({@code /eventbus/<server>/<session>/websocket}), the path browsers
 * take. The SockJS framing is simple (open {@code o}, heartbeat {@code h}, messages {@code a[...]},
 * close {@code c[code,"reason"]}) and doing it here lets every socket receive the same pre-built bytes.
 */
final class SockJsWebSocketConnection extends BridgeConnection {
  private static final Buffer OPEN = Buffer.buffer("o");
  private static final Buffer HEARTBEAT = Buffer.buffer("h");
  private final ServerWebSocket socket;
  private final WebSocketWire wire;

  SockJsWebSocketConnection(Bridge bridge, ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    super(bridge, Vertx.currentContext(), auth, "sockjs-websocket");
    this.socket = socket;
    this.wire = new WebSocketWire(connection);
    socket.setWriteQueueMaxSize(bridge.config().writeQueueMaxBytes());
    socket.textMessageHandler(this::handleSockJsFrame);
    socket.closeHandler(v -> onTransportClosed());
    socket.exceptionHandler(e -> onTransportClosed());
    write(OPEN);
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
      socket.close((short) 1002, "broken SockJS framing");
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
      socket.close((short) 1002, "broken SockJS framing");
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
  protected boolean writeQueueFull() {
    return wire.full();
  }

  /** As the raw WebSocket: the close frame if the client reads, else the socket aborted. */
  @Override
  protected void closeTransport(int code, String reason) {
    if (wire.full()) {
      wire.abort();
      return;
    }
    write(closeFrame(code, reason));
    socket.close();
    wire.abortUnlessClosed(context());
  }

  @Override
  protected void heartbeat() {
    if (!closed()) {
      write(HEARTBEAT);
    }
  }

  /** The close frame alone: a SockJS client reads the first close frame it gets, open or not. */
  static void refuse(ServerWebSocket socket, HttpConnection connection, int code, String reason) {
    WebSocketWire wire = new WebSocketWire(connection);
    wire.write(WireFrames.textFrame(closeFrame(code, reason)));
    socket.close();
    wire.abortUnlessClosed(Vertx.currentContext());
  }

  private static Buffer closeFrame(int code, String reason) {
    return Buffer.buffer("c" + new JsonArray().add(code).add(reason).encode());
  }

  private void write(Buffer frame) {
    wire.write(WireFrames.textFrame(frame));
  }
}
