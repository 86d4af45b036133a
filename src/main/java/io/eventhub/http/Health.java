package io.eventhub.http;

import io.eventhub.bridge.Connections;
import io.eventhub.database.Database;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;

/**
 * Liveness (the process answers) apart from readiness (it should get new clients): readiness turns
 * false while draining, so load balancers and Kubernetes stop sending clients before they are cut.
 */
public final class Health {
  private final HealthChecks liveness;
  private final HealthChecks readiness;

  /** {@code database} is null in anonymous mode. */
  public Health(Vertx vertx, Connections connections, Database database) {
    liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    readiness = HealthChecks.create(vertx).register("accepting-clients", promise -> promise.complete(
        connections.draining()
            ? Status.KO(new JsonObject().put("reason", "draining"))
            : Status.OK(new JsonObject().put("connections", connections.count()))));
    if (((io.vertx.core.internal.VertxInternal) vertx).clusterManager() != null) {
      // Partitions safe and this member in the cluster; false while it is cut off.
      readiness.register("cluster", 3000, ClusterHealthCheck.createProcedure(vertx));
    }
    if (database != null) {
      // New clients cannot be admitted without the session database.
      readiness.register("session-database", 2000, promise -> database.pool().query("SELECT 1").execute()
          .onSuccess(rows -> promise.complete(Status.OK()))
          .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("reason", e.getMessage())))));
    }
  }

  public HealthChecks liveness() {
    return liveness;
  }

  public HealthChecks readiness() {
    return readiness;
  }
}
