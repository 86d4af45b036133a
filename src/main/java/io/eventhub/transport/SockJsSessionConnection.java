package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.BridgeConnection;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Vertx;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.concurrent.TimeUnit;

/**
 * A SockJS fallback transport (xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp). vertx-web's
 * SockJS session frames and escapes each message itself; these transports serve the rare browser
 * that cannot open a WebSocket, so the shared-bytes path is kept for the websocket transports.
 */
final class SockJsSessionConnection extends BridgeConnection {
  private final SockJSSocket socket;
  private final long sessionTimeoutMillis;

  SockJsSessionConnection(Bridge bridge, SockJSSocket socket, AuthResult auth) {
    super(bridge, Vertx.currentContext(), auth, "sockjs-fallback");
    this.socket = socket;
    this.sessionTimeoutMillis = bridge.config().sessionTimeoutMillis();
    socket.setWriteQueueMaxSize(bridge.config().writeQueueMaxBytes());
    socket.handler(buffer -> handleMessage(buffer.toString()));
    socket.endHandler(v -> onTransportClosed());
    socket.exceptionHandler(e -> onTransportClosed());
  }

  @Override
  protected void writeFrame(OutboundFrame frame) {
    socket.write(frame.json());
  }

  @Override
  protected boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  /**
   * The code and reason go out twice: as a bridge {@code close} message, for clients that read only
   * messages, and as the SockJS close frame, which the HTTP layer's socket writes with the code
   * (vertx-web's own would say 3000 "Go away!").
   */
  @Override
  protected void closeTransport(int code, String reason) {
    closeWith(socket, code, reason, sessionTimeoutMillis);
  }

  static void closeWith(SockJSSocket socket, int code, String reason, long timeoutMillis) {
    // A polling client collects the frames with its next poll; closing at once would discard them.
    socket.write(OutboundFrame.close(code, reason).json())
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .onComplete(written -> socket.close(code, reason));
  }
}
