package io.eventhub.http;

import io.eventhub.testing.Await;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.LogCapture;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Readiness says why this instance cannot take clients, as 503 within the probe's time, never as a failure of its own. */
class ReadinessTest {
  /** k8s/base/hub-deployment.yaml, {@code readinessProbe.timeoutSeconds}: a slower answer counts as a failed probe. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(4);
  static final int PROBES = 3;

  private record Probe(int status, String body, long millis) {}

  @Test
  @DisplayName("the session database hangs: /health/ready answers 503 with the reason within the probe's time, logs no error, and is 200 again when the database answers")
  void databaseHangs() {
    TestDatabase db = TestDatabase.get();
    assumeTrue(db.embedded() != null, "needs the embedded MariaDB to freeze it");
    TestHub hub = TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig()));
    WebClient http = WebClient.create(ClientVertx.get());
    try (hub; LogCapture log = LogCapture.start()) {
      assertEquals(200, probe(http, hub).status(), "ready before the outage");
      List<Probe> probes = new ArrayList<>();
      try (TestDatabase.Frozen frozen = db.freeze()) {
        for (int i = 0; i < PROBES; i++) {
          probes.add(probe(http, hub));
        }
      }
      Await.until("ready again once the database answers", Duration.ofSeconds(20), () -> probe(http, hub).status() == 200);
      // The queries sent while it was frozen are answered now: a late answer is where the error came from.
      assertTrue(Scrape.of(hub.port()).hasSeries("vertx_pool_in_use"), "the pool's metrics are there to wait on");
      Await.until("no session-database connection in use", Duration.ofSeconds(10),
          () -> Scrape.of(hub.port()).value("vertx_pool_in_use", "pool_type", "sql") == 0);

      List<Executable> checks = new ArrayList<>();
      for (Probe probe : probes) {
        checks.add(() -> assertEquals(503, probe.status(), "not ready, and not a failure of the check: " + probe.body()));
        checks.add(() -> assertEquals("session database unavailable", sessionDatabase(probe).getJsonObject("data", new JsonObject()).getString("reason"),
            "the reason is named: " + probe.body()));
        checks.add(() -> assertTrue(probe.millis() < PROBE_TIMEOUT.toMillis(), "answered within the probe's time: " + probe.millis() + " ms"));
      }
      checks.add(() -> assertEquals(List.of(), log.errors(), "an unreachable database is an expected condition, not an error"));
      assertAll(checks);
      System.out.printf("readiness while the database hangs: %s%n", probes.stream().map(p -> p.status() + " after " + p.millis() + " ms").toList());
    }
  }

  private static Probe probe(WebClient http, TestHub hub) {
    long start = System.nanoTime();
    HttpResponse<Buffer> response = http.get(hub.port(), "127.0.0.1", "/health/ready").send().await();
    return new Probe(response.statusCode(), response.bodyAsString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private static JsonObject sessionDatabase(Probe probe) {
    return new JsonObject(probe.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> "session-database".equals(check.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no session-database check: " + probe.body()));
  }
}
