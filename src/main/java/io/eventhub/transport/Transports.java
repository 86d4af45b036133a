package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.function.Consumer;

/**
 * Where the HTTP layer hands over an accepted (or refused) client connection, by transport: each one
 * becomes a {@link io.eventhub.bridge.BridgeConnection} that moves the bridge's frames in its own
 * framing, or is turned away with a close code its client understands.
 */
public final class Transports {
  private final Bridge bridge;

  /** Past it a WebSocket message is cut off with 1009; the bridge refuses smaller ones too big for it with 4009. */
  private final int maxMessageBytes;

  /** How long a WebSocket client may send nothing, not even a pong to the heartbeat's ping; 0: forever. */
  private final long silenceMillis;

  /**
   * {@code idleTimeoutSeconds}: {@code http.idleTimeoutSeconds}, the silence allowed to a WebSocket
   * client; at least two heartbeats, so that a live client has had a ping to answer whatever the two
   * settings are.
   */
  public Transports(Bridge bridge, int idleTimeoutSeconds) {
    this.bridge = bridge;
    this.silenceMillis = idleTimeoutSeconds == 0 ? 0
        : Math.max(idleTimeoutSeconds * 1000L, 2L * bridge.config().heartbeatMillis());
    this.maxMessageBytes = Math.max(4 * bridge.config().maxFrameBytes(), 65_536);
  }

  /**
   * A raw WebSocket at {@code /eventbus/websocket}: one bridge frame per text frame. Called on the
   * request's context; a request that is no WebSocket handshake is answered with 400 (or 426).
   */
  public void attachRaw(HttpServerRequest request, AuthResult auth) {
    upgrade(request, socket -> new RawWebSocketConnection(bridge, socket, auth, silenceMillis).opened());
  }

  /** SockJS's websocket transport, framed by the hub itself so each event's frame is shared. */
  public void attachSockJsWebSocket(HttpServerRequest request, AuthResult auth) {
    upgrade(request, socket -> new SockJsWebSocketConnection(bridge, socket, auth, silenceMillis).opened());
  }

  /** Upgrades and closes at once with a code: the SockJS client learns why, where an HTTP status would only make it fall back. */
  public void refuseSockJsWebSocket(HttpServerRequest request, int code, String reason) {
    upgrade(request, socket -> SockJsWebSocketConnection.refuse(socket, code, reason));
  }

  /**
   * The hub's own upgrade, on the request's context (the session lookup may have answered on
   * another): Vert.x's ServerWebSocket would add two message queues per socket the hub never uses.
   */
  private void upgrade(HttpServerRequest request, Consumer<FrameSocket> then) {
    ContextInternal context = ((HttpServerRequestInternal) request).context();
    if (ContextInternal.current() != context) {
      context.runOnContext(v -> upgrade(request, then));
      return;
    }
    FrameSocket socket = WebSocketUpgrade.accept(request, maxMessageBytes, bridge.config().writeQueueMaxBytes());
    if (socket != null) {
      then.accept(socket);
    }
  }

  /** Any other SockJS transport (streaming, polling), framed by vertx-web's SockJS session. */
  public void attachSockJs(SockJSSocket socket, AuthResult auth) {
    new SockJsSessionConnection(bridge, socket, auth).opened();
  }

  /** Turns a SockJS session away with a code the client can act on, before it becomes a connection. */
  public void refuseSockJs(SockJSSocket socket, int code, String reason) {
    SockJsSessionConnection.closeWith(socket, code, reason, bridge.config().sessionTimeoutMillis());
  }
}
