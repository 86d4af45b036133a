package io.eventhub.http;

import io.eventhub.auth.AuthResult;
import io.eventhub.auth.Authenticator;
import io.eventhub.bridge.Connections;
import io.eventhub.config.HubConfig;
import io.eventhub.config.TrustedProxies;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether a handshake may become a connection, shared by all server verticles: the client address's
 * budget of failed handshakes (so that a flood of made-up session ids costs one database lookup per
 * budget, not one per attempt, and the pool stays for the sessions that exist; past it only sessions
 * the cache knows get in), then the {@link Authenticator}, then the per-user or per-address connection limit.
 */
public final class Admission {
  private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Client addresses whose failures are remembered; past it, expired ones are forgotten first. */
  private static final int MAX_TRACKED = 100_000;

  private final Authenticator authenticator;
  private final Connections connections;
  private final TrustedProxies trustedProxies;
  private final int maxFailures;
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  public Admission(Authenticator authenticator, Connections connections, HubConfig.Http config) {
    this.authenticator = authenticator;
    this.connections = connections;
    this.trustedProxies = config.trustedProxies();
    this.maxFailures = config.maxFailedHandshakesPerMinute();
  }

  /** Failed handshakes of one client address in the current window (one minute from its first). */
  private record Failures(long since, int count) {
    boolean current(long now) {
      return now - since < WINDOW_NANOS;
    }
  }

  /**
   * Never fails: an error becomes a refusal (fail closed). The result carries the client's address.
   * A cached answer comes back as a completed future, so the caller can act on it at once.
   */
  public Future<AuthResult> admit(HttpServerRequest request) {
    String address = clientAddress(request);
    // Over budget: only sessions the cache knows (behind a proxy not listed in http.trustedProxies,
    // every user shares its address, and those already seen keep getting in).
    Future<AuthResult> pending = authenticator.authenticate(request, retryAfterSeconds(address) > 0);
    if (pending.succeeded()) {
      return Future.succeededFuture(decide(pending.result(), address));
    }
    return pending.otherwise(e -> AuthResult.unavailable("authentication failed")).map(auth -> decide(auth, address));
  }

  private AuthResult decide(AuthResult auth, String address) {
    if (auth.status() == 401) {
      failed(address);
    }
    AuthResult result = auth.from(address);
    if (result.admitted() && !connections.roomFor(result)) {
      return AuthResult.tooManyConnections(result.identity().anonymous()
          ? "too many connections from this address (http.maxConnectionsPerAddress)"
          : "too many connections of this user (http.maxConnectionsPerUser)").from(address);
    }
    return result;
  }

  /** Seconds until the address may try again; 0 while it is within its budget. */
  public int retryAfterSeconds(String address) {
    Failures seen = failures.get(address);
    long now = System.nanoTime();
    if (seen == null || seen.count() < maxFailures || !seen.current(now)) {
      return 0;
    }
    return (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(seen.since() + WINDOW_NANOS - now) + 1);
  }

  private void failed(String address) {
    long now = System.nanoTime();
    if (failures.size() >= MAX_TRACKED && !failures.containsKey(address)) {
      failures.values().removeIf(f -> !f.current(now));
      if (failures.size() >= MAX_TRACKED) {
        return; // so many addresses at once: the database's negative cache is what is left
      }
    }
    failures.merge(address, new Failures(now, 1),
        (old, one) -> old.current(now) ? new Failures(old.since(), old.count() + 1) : one);
  }

  /**
   * The peer's address, or behind a trusted proxy the last X-Forwarded-For entry that is not itself
   * a trusted proxy (the entries before it are whatever the client chose to send).
   */
  public String clientAddress(HttpServerRequest request) {
    // The connection's, not the request's: vertx-web's request wrapper answers remoteAddress() from
    // a parse of Host, scheme and Forwarded headers per request (the hub reads X-Forwarded-For
    // itself, below), and the socket's peer is the same.
    SocketAddress remote = request.connection() == null ? request.remoteAddress() : request.connection().remoteAddress();
    String peer = remote == null ? "unknown" : remote.hostAddress();
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || !trustedProxies.contains(peer)) {
      return peer;
    }
    List<String> hops = List.of(forwarded.split(","));
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i).trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return peer;
  }
}
