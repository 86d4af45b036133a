package io.eventhub.transport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SockJS sessions (HTTP transports) this hub instance holds, seen from the routes in front of
 * vertx-web's SockJS handler: which sessions are open, the receiving request each one is served on
 * now, and the close frames of the sessions the hub closed, which answer their clients' later polls.
 * One per Vert.x instance, as vertx-web's own session map: a session's requests reach any of the
 * server verticles.
 */
public final class SockJsSessions implements Shareable {
  private static final Pattern SESSION = Pattern.compile("^/eventbus/[^/.]+/([^/.]+)/");

  private final Set<String> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, Receiving> receiving = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> closed = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final long sessionTimeoutMillis;

  private SockJsSessions(Vertx vertx, long sessionTimeoutMillis) {
    this.vertx = vertx;
    this.sessionTimeoutMillis = sessionTimeoutMillis;
  }

  public static SockJsSessions of(Vertx vertx, long sessionTimeoutMillis) {
    return vertx.sharedData().<String, SockJsSessions>getLocalMap("eventhub.sockjs")
        .computeIfAbsent("sessions", key -> new SockJsSessions(vertx, sessionTimeoutMillis));
  }

  /** The session id in a SockJS transport path, {@code /eventbus/<server>/<session>/<transport>}. */
  public static String sessionId(String path) {
    Matcher m = SESSION.matcher(path);
    if (!m.find()) {
      throw new IllegalArgumentException("not a SockJS transport path: " + path);
    }
    return m.group(1);
  }

  /** A request of a session this instance holds, or held and closed; otherwise it opens a new one. */
  public boolean known(String id) {
    return open.contains(id) || closed.containsKey(id);
  }

  void opened(String id) {
    open.add(id);
  }

  void ended(String id) {
    open.remove(id);
    receiving.remove(id);
  }

  /**
   * Hands a receiving request on to vertx-web, or answers it with the session's close frame if the
   * hub has closed the session. The request is recorded before the check, and {@link #close} records
   * the frame before it looks for the request: whichever comes second sees the other.
   */
  public void receive(String id, RoutingContext ctx, SockJsTransport transport, boolean insertSessionCookie) {
    Receiving request = new Receiving(ctx, Vertx.currentContext(), transport);
    // A request vertx-web refuses because the session already has one (2010) must not hide that one.
    receiving.merge(id, request, (current, next) -> current.finished() ? next : current);
    String frame = closed.get(id);
    if (frame != null) {
      transport.answer(ctx, frame, insertSessionCookie);
      return;
    }
    // vertx-web closes the connection after every receiving response without saying so, and a
    // keep-alive client (Node's default agent) could send its next poll on it and lose it (1006).
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    ctx.next();
    // vertx-web opens the session within next(), or never (a bad callback name): nothing to keep then.
    if (!known(id)) {
      receiving.remove(id, request);
    }
  }

  /**
   * Records that the hub closed session {@code id} with {@code frame}; from now on its receiving
   * requests are answered with that frame, until vertx-web would have forgotten the session too.
   * Returns the request vertx-web serves the session on, if any is still open.
   */
  Receiving close(String id, String frame) {
    closed.put(id, frame);
    vertx.setTimer(sessionTimeoutMillis, t -> {
      closed.remove(id);
      receiving.remove(id);
    });
    Receiving current = receiving.get(id);
    return current == null || current.finished() ? null : current;
  }

  /** A receiving request, with the context its response must be written on. */
  record Receiving(RoutingContext ctx, Context context, SockJsTransport transport) {
    boolean finished() {
      return ctx.response().ended() || ctx.response().closed();
    }

    /** The frame on a response vertx-web has already started (headers and prelude sent). */
    void write(String frame) {
      ctx.response().write(transport.frame(transport.callback(ctx.request()), frame));
    }
  }
}
