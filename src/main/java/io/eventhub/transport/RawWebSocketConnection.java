package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.delivery.Batch;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.WireFrames;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;

/** A raw WebSocket client: each bridge frame travels as one text frame. */
final class RawWebSocketConnection extends WebSocketConnection {
  private static final Buffer PING = Buffer.buffer("hb");

  RawWebSocketConnection(Bridge bridge, ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    super(bridge, socket, connection, auth, "websocket");
    socket.textMessageHandler(this::handleMessage);
    socket.binaryMessageHandler(buffer -> handleMessage(buffer.toString()));
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
  protected void sendClose(int code, String reason) {
    socket.close((short) code, reason);
  }

  @Override
  protected void heartbeat() {
    if (!closed()) {
      socket.writePing(PING);
    }
  }
}
