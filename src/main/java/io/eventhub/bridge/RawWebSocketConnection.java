package io.eventhub.bridge;

import io.eventhub.auth.AuthResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/** A raw WebSocket client: each bridge frame travels as one text frame. */
final class RawWebSocketConnection extends BridgeConnection {
  private static final Buffer PING = Buffer.buffer("hb");
  private final ServerWebSocket socket;

  RawWebSocketConnection(Bridge bridge, ServerWebSocket socket, AuthResult auth) {
    super(bridge, Vertx.currentContext(), auth, "websocket");
    this.socket = socket;
    socket.setWriteQueueMaxSize(bridge.config().writeQueueMaxBytes());
    socket.textMessageHandler(this::handleMessage);
    socket.binaryMessageHandler(buffer -> handleMessage(buffer.toString()));
    socket.closeHandler(v -> onTransportClosed());
    socket.exceptionHandler(e -> onTransportClosed());
  }

  @Override
  protected void writeFrame(OutboundFrame frame) {
    socket.writeFrame(textFrame(frame.json()));
  }

  @Override
  protected boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  protected void closeTransport(int code, String reason) {
    socket.close((short) code, reason);
  }

  @Override
  protected void heartbeat() {
    if (!closed()) {
      socket.writePing(PING);
    }
  }

  /**
   * A text frame over the shared bytes: the slice shares memory, so no copy or re-encoding per
   * socket. Vert.x offers text frames only from a String, which would encode the event again.
   */
  static WebSocketFrameImpl textFrame(Buffer utf8) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, ((BufferInternal) utf8).getByteBuf(), true);
  }
}
