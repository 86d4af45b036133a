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

/** A raw WebSocket client: each bridge frame travels as one text frame. */
final class RawWebSocketConnection extends BridgeConnection {
  private static final Buffer PING = Buffer.buffer("hb");
  private final ServerWebSocket socket;
  private final WebSocketWire wire;

  RawWebSocketConnection(Bridge bridge, ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    super(bridge, Vertx.currentContext(), auth, "websocket");
    this.socket = socket;
    this.wire = new WebSocketWire(connection);
    socket.setWriteQueueMaxSize(bridge.config().writeQueueMaxBytes());
    socket.textMessageHandler(this::handleMessage);
    socket.binaryMessageHandler(buffer -> handleMessage(buffer.toString()));
    socket.closeHandler(v -> onTransportClosed());
    socket.exceptionHandler(e -> onTransportClosed());
  }

  @Override
  protected void writeFrame(OutboundFrame frame) {
    wire.write(WireFrames.textFrame(frame.json()));
  }

  @Override
  protected void writeBatch(Batch batch) {
    wire.writeShared(batch.rawWire());
  }

  @Override
  protected boolean writeQueueFull() {
    return wire.full();
  }

  /**
   * Vert.x writes the close frame after everything written before it: the same channel, in order. A
   * client whose queue is full would not read it for long, if ever: its socket is aborted instead.
   */
  @Override
  protected void closeTransport(int code, String reason) {
    if (wire.full()) {
      wire.abort();
      return;
    }
    socket.close((short) code, reason);
    wire.abortUnlessClosed(context());
  }

  @Override
  protected void heartbeat() {
    if (!closed()) {
      socket.writePing(PING);
    }
  }
}
