package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The session database stops mid-test: what is connected stays, newcomers are refused fast, then it heals. */
class DatabaseOutageTest {

  @Test
  @DisplayName("database down: existing clients keep receiving, new ones get 503/4503 quickly, service resumes when it returns")
  void outage() throws Exception {
    TestDatabase db = TestDatabase.get();
    assumeTrue(db.embedded() != null, "needs the embedded MariaDB to stop and start it");
    db.session("outage-live-0123456789abcdef", 71L, null, 3600);
    db.session("outage-later-0123456789abcdef", 72L, null, 3600);
    TestHub hub = TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject().put("subscribe", List.of("user.{userId}.*")))));
    WebClient http = WebClient.create(ClientVertx.get());
    try (hub; BridgeClient connected = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", "outage-live-0123456789abcdef"))) {
      connected.register("user.71.feed");
      connected.sync();
      db.embedded().stop();
      try {
        hub.vertx().eventBus().publish("user.71.feed", "still here");
        assertEquals("still here", connected.next().getString("body"), "existing connections stay up");

        hub.hub().revocation().revalidate().await(10, TimeUnit.SECONDS);
        try (BridgeClient anotherTab = new WebSocketClients.Raw(hub.port(),
            Credentials.cookie("PHPSESSID", "outage-live-0123456789abcdef"))) {
          anotherTab.register("user.71.feed");
          anotherTab.sync();
          assertFalse(connected.isClosed(), "a revalidation the database could not answer keeps the connection");
        }

        long start = System.nanoTime();
        var refusal = WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
            Credentials.cookie("PHPSESSID", "outage-later-0123456789abcdef"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(503, refusal.getStatus());
        assertEquals("unavailable", new JsonObject(refusal.getBody()).getString("error"));
        assertTrue(millis < 5000, "refused within the connect/query timeouts, took " + millis + " ms");

        try (BridgeClient sockJs = Transport.SOCKJS_WEBSOCKET.connect(hub.port(),
            Credentials.query("session", "outage-later-0123456789abcdef"))) {
          assertEquals(CloseCodes.UNAVAILABLE, sockJs.awaitClose().code());
        }
        HttpResponse<Buffer> ready = http.get(hub.port(), "127.0.0.1", "/health/ready").send().await();
        assertEquals(503, ready.statusCode(), "not ready without the session database");
      } finally {
        db.embedded().restart();
      }
      BridgeClient recovered = connectWithin(hub, "outage-later-0123456789abcdef");
      recovered.register("user.72.feed");
      recovered.sync();
      recovered.close();
      assertEquals(200, http.get(hub.port(), "127.0.0.1", "/health/ready").send().await().statusCode());
    }
  }

  /** The pool reconnects on demand; the first attempts after a restart may still fail. */
  private static BridgeClient connectWithin(TestHub hub, String sessionId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    AssertionError last = null;
    while (System.nanoTime() < deadline) {
      try {
        return new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", sessionId));
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw new AssertionError("the hub did not admit clients again after the database came back", last);
  }
}
