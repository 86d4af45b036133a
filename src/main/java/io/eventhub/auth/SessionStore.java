package io.eventhub.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.eventhub.config.HubConfig;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Looks sessions up in the application's database, behind a cache: valid sessions are kept for
 * {@code auth.cacheSeconds} (never past their own expiry), unknown or expired ones for
 * {@code auth.negativeCacheSeconds}, failures not at all. Concurrent lookups of one id share a
 * single query, and the ids that miss the cache travel many to a statement ({@link SessionBatches}), so
 * a reconnect storm costs at most one query per distinct session, usually far fewer.
 */
public final class SessionStore {
  /** What the database says about a session id. */
  public sealed interface Lookup permits Valid, Invalid, Unavailable {}

  public record Valid(Identity identity, long expiresAtMillis) implements Lookup {}

  public record Invalid(String why) implements Lookup {}

  /** The database did not answer: shared by the lookups waiting for it, then dropped at once. */
  record Unavailable(Throwable cause) implements Lookup {}

  private final Vertx vertx;
  private final HubConfig.Auth config;
  private final SessionBatches batches;
  private final AsyncCache<String, Lookup> cache;
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong unanswered = new AtomicLong();
  private final HubMetrics metrics;

  /** {@code pool} is {@code database}'s: as many statements are in flight at most as it has connections. */
  public SessionStore(Vertx vertx, Pool pool, HubConfig.Auth config, HubConfig.Database database, HubMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    metrics.functionCounter("eventhub.session.queries",
        "Session queries sent to the database (one statement asks for many sessions)", queries, AtomicLong::get);
    this.config = config;
    this.batches = new SessionBatches(vertx, pool, config.session(), database.poolSize(), database.queryTimeoutMillis(), queries);
    this.cache = Caffeine.newBuilder()
        .maximumSize(config.cacheMaxEntries())
        .executor(Runnable::run)
        .expireAfter(new Expiry<String, Lookup>() {
          @Override
          public long expireAfterCreate(String id, Lookup lookup, long now) {
            return cacheNanos(lookup);
          }

          @Override
          public long expireAfterUpdate(String id, Lookup lookup, long now, long current) {
            return cacheNanos(lookup);
          }

          @Override
          public long expireAfterRead(String id, Lookup lookup, long now, long current) {
            return current;
          }
        })
        .buildAsync();
  }

  /**
   * The answer the cache holds for the session, without asking the database; null when it holds none.
   * For client addresses that have used up their budget of failed handshakes: a user whose session is
   * known gets in, a made-up id costs nothing.
   */
  public Lookup cached(String sessionId) {
    long start = System.nanoTime();
    CompletableFuture<Lookup> cached = cache.getIfPresent(sessionId);
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      Lookup known = cached.join();
      if (known instanceof Valid || known instanceof Invalid) {
        metrics.sessionLookup(HubMetrics.HIT, start);
        return known;
      }
    }
    return null;
  }

  /** Completes on the caller's context; fails when the database cannot answer in time. */
  public Future<Lookup> lookup(String sessionId) {
    // A warm cache (a reconnect storm): the answer is at hand, returned as a completed future without
    // a round through CompletableFuture. Only answers the cache still holds (Caffeine checks their
    // expiry on read); a query in flight or an outage goes the slow way, so nothing is admitted here
    // that the slow way would refuse.
    Lookup known = cached(sessionId);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    long start = System.nanoTime();
    boolean[] queried = new boolean[1];
    CompletableFuture<Lookup> result = cache.get(sessionId, (id, executor) -> {
      queried[0] = true;
      return query(id).toCompletionStage().toCompletableFuture();
    });
    return Future.fromCompletionStage(result, vertx.getOrCreateContext()).compose(lookup -> {
      if (lookup instanceof Unavailable unavailable) {
        metrics.sessionLookup(HubMetrics.ERROR, start);
        return Future.failedFuture(unavailable.cause());
      }
      metrics.sessionLookup(queried[0] ? HubMetrics.MISS : HubMetrics.HIT, start);
      return Future.succeededFuture(lookup);
    });
  }

  /**
   * Asks the database again, whatever the cache holds (revalidation); completes on the caller's context.
   * A definite answer replaces the cached one. When the database cannot answer, a valid session cached
   * when the revalidation began is cached again for {@code auth.cacheSeconds} (never past its own
   * expiry), so that a live user stays admitted for as long as an outage lasts, and the future fails.
   */
  public Future<Lookup> refresh(String sessionId) {
    Valid known = cachedValid(cache.getIfPresent(sessionId));
    return Future.fromCompletionStage(query(sessionId).toCompletionStage(), vertx.getOrCreateContext()).compose(lookup -> {
      if (lookup instanceof Unavailable unavailable) {
        unanswered.incrementAndGet();
        if (known != null) {
          keep(sessionId, known);
        }
        return Future.failedFuture(unavailable.cause());
      }
      cache.put(sessionId, CompletableFuture.completedFuture(lookup));
      return Future.succeededFuture(lookup);
    });
  }

  /**
   * Caches {@code known} anew, unless something else took its place meanwhile (a revocation, a newer
   * answer): only a definite answer from the database ends a live session's admission.
   */
  private void keep(String sessionId, Valid known) {
    cache.asMap().compute(sessionId, (id, current) ->
        current == null || cachedValid(current) == known ? CompletableFuture.completedFuture(known) : current);
  }

  private static Valid cachedValid(CompletableFuture<Lookup> cached) {
    return cached != null && cached.isDone() && !cached.isCompletedExceptionally() && cached.join() instanceof Valid valid
        ? valid : null;
  }

  /**
   * Marks a session as ended (logout) for {@code auth.negativeCacheSeconds}: a client reconnecting
   * at once is refused even if the application has not yet deleted the row.
   */
  public void revoke(String sessionId) {
    cache.put(sessionId, CompletableFuture.completedFuture(new Invalid("session revoked")));
  }

  /** Queries sent to the database so far (one statement asks for many sessions). */
  public long queries() {
    return queries.get();
  }

  /** Revalidations of a session the database did not answer, so far (each logged as one line per round). */
  public long unanswered() {
    return unanswered.get();
  }

  private Future<Lookup> query(String sessionId) {
    return batches.find(sessionId)
        .map(this::read)
        // A value rather than a failed future: the cache would log every failure with a stack trace.
        .otherwise(Unavailable::new);
  }

  private Lookup read(Row row) {
    if (row == null) {
      return new Invalid("unknown session");
    }
    Object userId = column(row, 0);
    Object rolesValue = column(row, 1);
    String roles = rolesValue == null ? null : String.valueOf(rolesValue);
    Long expires = column(row, 2) instanceof Number n ? n.longValue() : null;
    Object data = column(row, 3);
    if (expires != null && expires * 1000 <= System.currentTimeMillis()) {
      return new Invalid("session expired");
    }
    if (userId == null && data != null) {
      userId = userFromData(data);
    }
    if (userId == null || String.valueOf(userId).isEmpty()) {
      return new Invalid("session has no logged-in user");
    }
    return new Valid(new Identity(String.valueOf(userId), roles(roles)), expires == null ? 0 : expires * 1000);
  }

  private Object userFromData(Object data) {
    byte[] bytes = data instanceof Buffer b ? b.getBytes() : String.valueOf(data).getBytes(StandardCharsets.UTF_8);
    try {
      Map<String, Object> session = PhpSession.decode(bytes, config.session().dataFormat());
      Object user = PhpSession.lookup(session, config.session().dataKey());
      return user instanceof Map<?, ?> ? null : user;
    } catch (IllegalArgumentException e) {
      return null; // unreadable data holds no user: refused, never guessed
    }
  }

  private static Object column(Row row, int index) {
    return index < row.size() ? row.getValue(index) : null;
  }

  private static Set<String> roles(String roles) {
    if (roles == null || roles.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).collect(Collectors.toUnmodifiableSet());
  }

  private long cacheNanos(Lookup lookup) {
    if (lookup instanceof Valid valid) {
      long seconds = config.cacheSeconds();
      if (valid.expiresAtMillis() > 0) {
        long untilExpiry = valid.expiresAtMillis() - System.currentTimeMillis();
        return Math.max(0, Math.min(TimeUnit.SECONDS.toNanos(seconds), TimeUnit.MILLISECONDS.toNanos(untilExpiry)));
      }
      return TimeUnit.SECONDS.toNanos(seconds);
    }
    if (lookup instanceof Unavailable) {
      return 0;
    }
    return TimeUnit.SECONDS.toNanos(config.negativeCacheSeconds());
  }
}
