package io.eventhub.http;

import io.eventhub.bridge.Connections;
import io.eventhub.cluster.ClusterMembership;
import io.eventhub.database.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Liveness (the process answers) apart from readiness (it should get new clients): readiness turns
 * false while draining, so load balancers and Kubernetes stop sending clients before they are cut.
 *
 * <p>Readiness is about this instance only: DOWN (503, each failing check with a {@code reason}) while
 * it drains, while its session database does not answer, and while it is out of the cluster; a peer's
 * death leaves it UP. Every check completes its own answer before the health-check framework's timeout
 * would: a timeout there turns into 500 and, when the late answer comes, into an error in the log.
 */
public final class Health {
  /** The framework's own deadline comes this long after a check's: it is only a safety net. */
  private static final long FRAMEWORK_MARGIN_MILLIS = 1000;

  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private final AtomicReference<Future<Void>> databasePing = new AtomicReference<>();

  /**
   * {@code database} is null in anonymous mode, {@code cluster} without clustering;
   * {@code databaseTimeoutMillis} is how long a session lookup may take ({@code database.queryTimeoutMillis}).
   */
  public Health(Vertx vertx, Connections connections, Database database, int databaseTimeoutMillis, ClusterMembership cluster) {
    liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    readiness = HealthChecks.create(vertx).register("accepting-clients", promise -> promise.complete(
        connections.draining()
            ? Status.KO(new JsonObject().put("reason", "draining"))
            : Status.OK(new JsonObject().put("connections", connections.count()))));
    if (cluster != null) {
      readiness.register("cluster", promise -> {
        String reason = cluster.unavailable();
        promise.complete(reason == null ? Status.OK() : Status.KO(new JsonObject().put("reason", reason)));
      });
    }
    if (database != null) {
      // New clients cannot be admitted without the session database.
      readiness.register("session-database", databaseTimeoutMillis + FRAMEWORK_MARGIN_MILLIS, promise ->
          ping(database).timeout(databaseTimeoutMillis, TimeUnit.MILLISECONDS).onComplete(ping -> promise.tryComplete(
              ping.succeeded() ? Status.OK() : Status.KO(new JsonObject()
                  .put("reason", "session database unavailable")
                  .put("error", describe(ping.cause(), databaseTimeoutMillis))))));
    }
  }

  /**
   * One {@code SELECT 1} at a time, whoever probes: against a database that hangs, every probe would
   * otherwise leave one more pooled connection waiting, taken from the session lookups.
   */
  private Future<Void> ping(Database database) {
    Future<Void> current = databasePing.get();
    if (current != null && !current.isComplete()) {
      return current;
    }
    Future<Void> ping = database.pool().query("SELECT 1").execute().mapEmpty();
    databasePing.set(ping);
    return ping;
  }

  private static String describe(Throwable failure, int timeoutMillis) {
    if (failure instanceof TimeoutException) {
      return "no answer within " + timeoutMillis + " ms";
    }
    return failure.getMessage() != null ? failure.getMessage() : failure.toString();
  }

  public HealthChecks liveness() {
    return liveness;
  }

  public HealthChecks readiness() {
    return readiness;
  }
}
