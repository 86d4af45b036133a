package io.eventhub.transport;

import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * A vertx-web SockJS session of an HTTP transport whose {@link #close(int, String)} tells the client
 * the hub's code. vertx-web's session closes with {@code c[3000,"Go away!"]} whatever code it is
 * given; this one puts {@code c[code,"reason"]} in front, on the request the session is served on now
 * and on every later one. Everything else is the session's own.
 */
public final class SockJsSessionSocket implements SockJSSocket {
  private final SockJSSocket session;
  private final SockJsSessions sessions;
  private final String id;

  public SockJsSessionSocket(SockJSSocket session, SockJsSessions sessions, String id) {
    this.session = session;
    this.sessions = sessions;
    this.id = id;
    sessions.opened(id);
    endHandler(null);
  }

  /**
   * The client reads {@code c[code,"reason"]} first, whatever its transport: a stream at once, a
   * waiting poll as the reply to its next poll (vertx-web ends the waiting one with the bridge's
   * {@code close} message, the only thing it lets through), and so does any poll after that.
   */
  @Override
  public void close(int code, String reason) {
    String frame = SockJsTransport.closeFrame(code, reason);
    SockJsSessions.Receiving current = sessions.close(id, frame);
    if (current == null) {
      session.close(); // with no request waiting, vertx-web writes nothing now
      return;
    }
    // On the request's own context vertx-web writes at once what it is given, so the order holds.
    current.context().runOnContext(v -> {
      if (!current.finished() && !current.ctx().response().headWritten()) {
        session.write(OutboundFrame.close(code, reason).json());
      }
      if (!current.finished()) {
        current.write(frame); // a stream, still open: vertx-web's c[3000] comes after, and is ignored
      }
      session.close();
    });
  }

  @Override
  public void close() {
    session.close();
  }

  /** The session is forgotten when it ends, whoever else listens. */
  @Override
  public SockJSSocket endHandler(Handler<Void> handler) {
    session.endHandler(v -> {
      sessions.ended(id);
      if (handler != null) {
        handler.handle(v);
      }
    });
    return this;
  }

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    session.exceptionHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    session.handler(handler);
    return this;
  }

  @Override
  public SockJSSocket pause() {
    session.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    session.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    session.fetch(amount);
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> handler) {
    session.closeHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return session.write(data);
  }

  @Override
  public Future<Void> write(String data) {
    return session.write(data);
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    session.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return session.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    session.drainHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return session.writeHandlerID();
  }

  @Override
  public Future<Void> end() {
    return session.end();
  }

  @Override
  public SocketAddress remoteAddress() {
    return session.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return session.localAddress();
  }

  @Override
  public MultiMap headers() {
    return session.headers();
  }

  @Override
  public String uri() {
    return session.uri();
  }

  @Override
  public RoutingContext routingContext() {
    return session.routingContext();
  }

  @Override
  public Session webSession() {
    return session.webSession();
  }

  @Override
  public User webUser() {
    return session.webUser();
  }
}
