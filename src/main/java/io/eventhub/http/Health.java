package io.eventhub.http;

import io.eventhub.bridge.Connections;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * Liveness (the process answers) apart from readiness (it should get new clients): readiness turns
 * false while draining, so load balancers and Kubernetes stop sending clients before they are cut.
 */
public final class Health {
  private final HealthChecks liveness;
  private final HealthChecks readiness;

  public Health(Vertx vertx, Connections connections) {
    liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    readiness = HealthChecks.create(vertx).register("accepting-clients", promise -> promise.complete(
        connections.draining()
            ? Status.KO(new JsonObject().put("reason", "draining"))
            : Status.OK(new JsonObject().put("connections", connections.count()))));
  }

  public HealthChecks liveness() {
    return liveness;
  }

  public HealthChecks readiness() {
    return readiness;
  }
}
