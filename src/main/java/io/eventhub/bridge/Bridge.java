package io.eventhub.bridge;

import io.eventhub.auth.AuthResult;
import io.eventhub.config.HubConfig;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * The event bus bridge of one hub instance: the entry point the HTTP layer hands accepted client
 * connections to, whatever their transport. Shared by all HTTP server verticles of the instance.
 */
public final class Bridge {
  private final Vertx vertx;
  private final HubConfig.Bridge config;
  private final FanOut fanOut;
  private final Connections connections;
  private final HubMetrics metrics;
  private final Publisher publisher;

  private final Handover handover;

  /** {@code handoverSeconds}: how long a drain keeps closed clients' events for them to resume elsewhere. */
  public Bridge(Vertx vertx, HubConfig.Bridge config, HubMetrics metrics, Publisher publisher, int handoverSeconds) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.publisher = publisher;
    this.fanOut = new FanOut(vertx.eventBus(), metrics, config.flushIntervalMillis(), publisher.lag());
    this.connections = new Connections(metrics);
    this.handover = new Handover(vertx.eventBus(), fanOut, metrics, handoverSeconds);
    metrics.gauge("eventhub.subscriptions", "Subscriptions of open connections", fanOut::subscriptionCount);
    metrics.gauge("eventhub.addresses", "Distinct subscribed addresses (one event-bus consumer each)", fanOut::consumerCount);
  }

  public Publisher publisher() {
    return publisher;
  }

  public HubMetrics metrics() {
    return metrics;
  }

  /** A raw WebSocket at {@code /eventbus/websocket}: one bridge frame per text frame. */
  public void attachRaw(ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    new RawWebSocketConnection(this, socket, connection, auth).opened();
  }

  /** SockJS's websocket transport, framed by the hub itself so each event's frame is shared. */
  public void attachSockJsWebSocket(ServerWebSocket socket, HttpConnection connection, AuthResult auth) {
    new SockJsWebSocketConnection(this, socket, connection, auth).opened();
  }

  /** Upgrades and closes at once with a code: the SockJS client learns why, where an HTTP status would only make it fall back. */
  public void refuseSockJsWebSocket(ServerWebSocket socket, HttpConnection connection, int code, String reason) {
    SockJsWebSocketConnection.refuse(socket, connection, code, reason);
  }

  /** Any other SockJS transport (streaming, polling), framed by vertx-web's SockJS session. */
  public void attachSockJs(SockJSSocket socket, AuthResult auth) {
    new SockJsSessionConnection(this, socket, auth).opened();
  }

  /** Turns a SockJS session away with a code the client can act on, before it becomes a connection. */
  public void refuse(SockJSSocket socket, int code, String reason) {
    SockJsSessionConnection.closeWith(socket, code, reason, config.sessionTimeoutMillis());
  }

  public Vertx vertx() {
    return vertx;
  }

  public HubConfig.Bridge config() {
    return config;
  }

  public EventBus bus() {
    return vertx.eventBus();
  }

  public FanOut fanOut() {
    return fanOut;
  }

  public Connections connections() {
    return connections;
  }

  public Handover handover() {
    return handover;
  }

  /**
   * Stops taking clients and closes every connection with 4000, handing each one's subscriptions over
   * for it to resume elsewhere; completes when the clients are gone and have resumed (or their time is up).
   */
  public Future<Void> drain() {
    return connections.drain(connection -> connection.drain(handover)).compose(v -> handover.allResumed());
  }
}
