package io.eventhub.auth;

import io.eventhub.config.HubConfig;
import io.eventhub.config.TrustedProxies;
import io.vertx.core.Future;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides at the handshake whether a connection may open: origin check, then the session id from a
 * cookie, the query string or an {@code Authorization: Bearer} header (in that order, each
 * switchable), then its validity in the database. Fails closed: no id, a malformed id, an unknown or
 * expired session, or a database that cannot answer all refuse the connection.
 */
public final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  private final HubConfig.Auth config;
  private final SessionStore sessions;
  private final TrustedProxies trustedProxies;

  /** {@code sessions} is null in anonymous mode. */
  public Authenticator(HubConfig.Auth config, SessionStore sessions, TrustedProxies trustedProxies) {
    this.config = config;
    this.sessions = sessions;
    this.trustedProxies = trustedProxies;
  }

  public Future<AuthResult> authenticate(HttpServerRequest request) {
    return authenticate(request, false);
  }

  /**
   * With {@code cachedOnly}, a session the cache does not know is refused with 429
   * {@code too_many_attempts} instead of being looked up: for a client address over its budget of
   * failed handshakes, whose known users still get in.
   */
  public Future<AuthResult> authenticate(HttpServerRequest request, boolean cachedOnly) {
    String origin = request.getHeader("origin");
    if (origin != null && !originAllowed(origin, request)) {
      log.info("Refused a connection from origin {}", origin);
      return Future.succeededFuture(AuthResult.forbidden("origin " + origin + " is not allowed"));
    }
    if (config.mode() == HubConfig.AuthMode.ANONYMOUS) {
      return Future.succeededFuture(AuthResult.admitted(Identity.ANONYMOUS, null));
    }
    String sessionId = sessionId(request);
    if (sessionId == null) {
      return Future.succeededFuture(AuthResult.unauthenticated("no session id: " + sources()));
    }
    if (!config.idPattern().matcher(sessionId).matches()) {
      return Future.succeededFuture(AuthResult.unauthenticated("malformed session id"));
    }
    if (cachedOnly) {
      SessionStore.Lookup known = sessions.cached(sessionId);
      return Future.succeededFuture(known == null
          ? AuthResult.tooManyAttempts("too many failed handshakes from this address; retry later")
          : admission(known, sessionId));
    }
    Future<SessionStore.Lookup> lookup = sessions.lookup(sessionId);
    if (lookup.succeeded()) {
      return Future.succeededFuture(admission(lookup.result(), sessionId)); // a cached answer
    }
    return lookup.map(found -> admission(found, sessionId)).otherwise(failure -> {
      reportLookupFailure(failure);
      return AuthResult.unavailable("session database unavailable, try again later");
    });
  }

  private static AuthResult admission(SessionStore.Lookup lookup, String sessionId) {
    return lookup instanceof SessionStore.Valid valid
        ? AuthResult.admitted(valid.identity(), sessionId)
        : AuthResult.unauthenticated("session unknown or expired, log in again");
  }

  /**
   * During an outage every handshake fails the same way; a reconnect storm would write thousands of
   * identical lines. One line per {@link #FAILURE_REPORT_NANOS}, with how many it stands for.
   */
  private void reportLookupFailure(Throwable failure) {
    long now = System.nanoTime();
    long last = lastFailureReport.get();
    if (now - last >= FAILURE_REPORT_NANOS && lastFailureReport.compareAndSet(last, now)) {
      long more = suppressedFailures.getAndSet(0);
      log.error("Session lookup failed, refusing connections with 503/4503{}: {}",
          more > 0 ? " (" + more + " more since the last report)" : "", failure.toString());
    } else {
      suppressedFailures.incrementAndGet();
    }
  }

  private static final long FAILURE_REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private final AtomicLong lastFailureReport =
      new AtomicLong(System.nanoTime() - FAILURE_REPORT_NANOS);
  private final AtomicLong suppressedFailures = new AtomicLong();

  /** The session id the request carries, by the configured sources in order; null if none. */
  String sessionId(HttpServerRequest request) {
    if (!config.cookie().isEmpty()) {
      String cookie = cookie(request, config.cookie());
      if (cookie != null && !cookie.isEmpty()) {
        return cookie;
      }
    }
    if (!config.queryParam().isEmpty()) {
      String fromQuery = request.getParam(config.queryParam());
      if (fromQuery != null && !fromQuery.isEmpty()) {
        return fromQuery;
      }
    }
    if (config.bearer()) {
      String authorization = request.getHeader("authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
      }
    }
    return null;
  }

  /**
   * The cookie's value, decoded as {@code request.getCookie} decodes it (Netty's strict decoder, the
   * first of a name wins) but without its cookie jar: that would stay on the request, which an
   * upgraded WebSocket keeps for as long as the connection lives (~200 bytes per connection).
   * {@code decodeAll} keeps the header's order, so the first match is the first of its name, as in
   * the sorted set {@code decode} builds per handshake for nothing.
   */
  static String cookie(HttpServerRequest request, String name) {
    String header = request.getHeader(HttpHeaders.COOKIE);
    if (header == null) {
      return null;
    }
    for (Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(header)) {
      if (cookie.name().equals(name)) {
        return cookie.value();
      }
    }
    return null;
  }

  /**
   * Cross-site WebSocket hijacking protection. With no list configured only same-origin browsers are
   * let in (the Origin's host and port equal the Host header, as behind the same Apache).
   */
  boolean originAllowed(String origin, HttpServerRequest request) {
    if (config.allowedOrigins().contains("*") || config.allowedOrigins().contains(origin)) {
      return true;
    }
    if (!config.allowedOrigins().isEmpty()) {
      return false;
    }
    String host = publicHost(request);
    int scheme = origin.indexOf("://");
    return host != null && scheme > 0
        && origin.substring(scheme + 3).toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
  }

  /**
   * The host the browser addressed: the Host header, or X-Forwarded-Host when the request comes from
   * a trusted proxy (one that does not preserve Host). From anyone else the header is ignored, or a
   * client could name any origin it likes.
   */
  private String publicHost(HttpServerRequest request) {
    String forwarded = request.getHeader("x-forwarded-host");
    if (forwarded != null && request.remoteAddress() != null && trustedProxies.contains(request.remoteAddress().hostAddress())) {
      return forwarded.split(",")[0].trim();
    }
    return request.getHeader("host");
  }

  private String sources() {
    StringBuilder sources = new StringBuilder();
    if (!config.cookie().isEmpty()) {
      sources.append("cookie ").append(config.cookie());
    }
    if (!config.queryParam().isEmpty()) {
      sources.append(sources.isEmpty() ? "" : ", ").append("query parameter ").append(config.queryParam());
    }
    if (config.bearer()) {
      sources.append(sources.isEmpty() ? "" : " or ").append("Authorization: Bearer");
    }
    return sources.isEmpty() ? "no source is configured" : "send it as " + sources;
  }
}
