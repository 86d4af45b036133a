package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.delivery.Batch;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.WireFrames;

/** A raw WebSocket client: each bridge frame travels as one text frame. */
final class RawWebSocketConnection extends WebSocketConnection {
  RawWebSocketConnection(Bridge bridge, FrameSocket socket, AuthResult auth, long silenceMillis) {
    super(bridge, socket, auth, "websocket", silenceMillis);
    socket.textMessageHandler(this::handleMessage);
    socket.binaryMessageHandler(this::handleMessage);
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
    socket.close(code, reason);
  }
}
