package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.BridgeConnection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;

/**
 * A client on a WebSocket whose frames the hub writes into the Netty pipeline itself
 * ({@link WebSocketWire}), in raw or SockJS framing.
 */
abstract class WebSocketConnection extends BridgeConnection {
  protected final ServerWebSocket socket;
  protected final WebSocketWire wire;

  WebSocketConnection(Bridge bridge, ServerWebSocket socket, HttpConnection connection, AuthResult auth, String transport) {
    super(bridge, Vertx.currentContext(), auth, transport);
    this.socket = socket;
    this.wire = new WebSocketWire(connection);
    socket.setWriteQueueMaxSize(bridge.config().writeQueueMaxBytes());
    socket.closeHandler(v -> onTransportClosed());
    socket.exceptionHandler(e -> onTransportClosed());
  }

  @Override
  protected final boolean writeQueueFull() {
    return wire.full();
  }

  /**
   * The close frame goes after everything written before it, on the same channel. A client whose
   * queue is full would not read it for long, if ever: its socket is aborted instead, and so is one
   * that does not answer the close in time.
   */
  @Override
  protected final void closeTransport(int code, String reason) {
    if (wire.full()) {
      wire.abort();
      return;
    }
    sendClose(code, reason);
    wire.abortUnlessClosed(context());
  }

  /** Writes this transport's close frame and closes the socket. */
  protected abstract void sendClose(int code, String reason);
}
