package io.eventhub.auth;

import io.eventhub.config.HubConfig;
import io.eventhub.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ends connections whose login session ended: at once when a back end publishes the session id to
 * {@code auth.revocationAddress} (body: the id, or {@code {"sessionId": id}}), and every
 * {@code auth.revalidateSeconds} by looking the live sessions up again, a batch at a time. A database
 * outage during revalidation keeps connections open: only a definite "unknown or expired" closes them.
 */
public final class SessionRevocation {
  private static final Logger log = LoggerFactory.getLogger(SessionRevocation.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final HubConfig.Auth config;
  private final SessionStore sessions;
  private final SessionConnections connections;

  public SessionRevocation(Vertx vertx, HubConfig.Auth config, SessionStore sessions, SessionConnections connections) {
    this.vertx = vertx;
    this.config = config;
    this.sessions = sessions;
    this.connections = connections;
  }

  public Future<Void> start() {
    if (config.revalidateSeconds() > 0) {
      long period = config.revalidateSeconds() * 1000L;
      vertx.setPeriodic(period, period, id -> revalidate());
    }
    return vertx.eventBus().<Object>consumer(config.revocationAddress(), message -> {
      String sessionId = message.body() instanceof JsonObject json ? json.getString("sessionId") : String.valueOf(message.body());
      if (sessionId != null && !sessionId.isEmpty()) {
        revoke(sessionId);
      }
    }).completion();
  }

  public void revoke(String sessionId) {
    sessions.revoke(sessionId);
    connections.closeSession(sessionId, CloseCodes.UNAUTHENTICATED, "session revoked");
  }

  /**
   * Looks every live session up again, a batch at a time; returns when all batches are done. Only a
   * definite "unknown or expired" ends connections; a session the database could not answer for keeps
   * its connections and its cached admission.
   */
  public Future<Void> revalidate() {
    List<String> ids = new ArrayList<>(connections.sessionIds());
    AtomicInteger unanswered = new AtomicInteger();
    AtomicReference<Throwable> lastFailure = new AtomicReference<>();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < ids.size(); from += BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
      chain = chain.compose(v -> revalidate(batch, unanswered, lastFailure));
    }
    return chain.onSuccess(v -> {
      if (unanswered.get() > 0) {
        // One line per round, however many sessions: an outage is one event, not thousands.
        log.warn("Revalidation: the database did not answer for {} of {} sessions; their connections stay open "
            + "and their cached sessions stay admitted until it does: {}", unanswered.get(), ids.size(),
            String.valueOf(lastFailure.get()));
      }
    });
  }

  private Future<Void> revalidate(List<String> batch, AtomicInteger unanswered, AtomicReference<Throwable> lastFailure) {
    List<Future<?>> lookups = new ArrayList<>();
    for (String sessionId : batch) {
      lookups.add(sessions.refresh(sessionId).onSuccess(lookup -> {
        if (lookup instanceof SessionStore.Invalid invalid) {
          connections.closeSession(sessionId, CloseCodes.UNAUTHENTICATED, invalid.why());
        }
      }).otherwise(failure -> {
        unanswered.incrementAndGet();
        lastFailure.set(failure);
        return null;
      }));
    }
    return Future.join(lookups).mapEmpty();
  }
}
