package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.BridgeConnection;

import java.util.Map;

/**
 * A client on a WebSocket the hub upgraded itself ({@link WebSocketUpgrade}), whose frames it writes
 * into the Netty pipeline itself ({@link WebSocketWire}), in raw or SockJS framing.
 */
abstract class WebSocketConnection extends BridgeConnection {
  protected final FrameSocket socket;
  protected final WebSocketWire wire;

  WebSocketConnection(Bridge bridge, FrameSocket socket, AuthResult auth, String transport) {
    super(bridge, socket.context(), auth, transport);
    this.socket = socket;
    this.wire = socket.wire();
    socket.closeHandler(v -> onTransportClosed());
  }

  @Override
  protected final boolean writeQueueFull() {
    return wire.full();
  }

  @Override
  protected final long outboundLagNanos(Map<String, Long> kernelQueues, long intervalNanos) {
    return wire.outboundLagNanos(kernelQueues, intervalNanos);
  }

  /**
   * The close frame goes after everything written before it, on the same channel. A client whose
   * queue is full would not read it for long, if ever: its socket is aborted instead, and so is one
   * that does not answer the close in time ({@link FrameSocket#close}).
   */
  @Override
  protected final void closeTransport(int code, String reason) {
    if (wire.full()) {
      wire.abort();
      return;
    }
    sendClose(code, reason);
  }

  /** Writes this transport's close frame and closes the socket. */
  protected abstract void sendClose(int code, String reason);
}
