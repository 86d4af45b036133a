package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * Where the HTTP layer hands over an accepted (or refused) client connection, by transport: each one
 * becomes a {@link io.eventhub.bridge.BridgeConnection} that moves the bridge's frames in its own
 * framing, or is turned away with a close code its client understands.
 */
public final class Transports {
  private final Bridge bridge;

  public Transports(Bridge bridge) {
    this.bridge = bridge;
  }

  /** A raw WebSocket at {@code /eventbus/websocket}: one bridge frame per text frame. */
  public void attachRaw(ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    new RawWebSocketConnection(bridge, socket, connection, auth).opened();
  }

  /** SockJS's websocket transport, framed by the hub itself so each event's frame is shared. */
  public void attachSockJsWebSocket(ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    new SockJsWebSocketConnection(bridge, socket, connection, auth).opened();
  }

  /** Upgrades and closes at once with a code: the SockJS client learns why, where an HTTP status would only make it fall back. */
  public void refuseSockJsWebSocket(ServerWebSocket socket, HttpConnection connection, int code, String reason) {
    SockJsWebSocketConnection.refuse(socket, connection, code, reason);
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
