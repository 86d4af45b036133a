package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fault drill of a database that hangs rather than goes away (a stalled VM, a full disk, a lock
 * storm): the embedded MariaDB stopped with SIGSTOP, so that connections stay open and nothing answers.
 * Connected clients must not notice; sessions the hub knows stay admitted, through several revalidation
 * rounds and past their cache time; a session it does not know is refused with 503 / 4503 within the
 * query timeout; and after SIGCONT the hub serves again without a restart.
 *
 * <p>The freeze lasts 30 s, the length of an operator's drill; with the query timeout at 2 s,
 * revalidation every 2 s and a cache time of 6 s it spans many unanswered revalidation rounds and
 * outlasts the cache time several times over.
 */
class DatabaseFreezeTest {
  private static final String LIVE = "freeze-live-0123456789abcdef";
  private static final String UNCACHED = "freeze-new-0123456789abcdefgh";
  private static final int QUERY_TIMEOUT_MILLIS = 2000;
  private static final int CACHE_SECONDS = 6;
  private static final int REVALIDATE_SECONDS = 2;
  private static final long FREEZE_MILLIS = 30_000;
  /** Above the timeout for the refusal's own way (a loaded machine, an event-loop turn, the HTTP round trip). */
  private static final long MARGIN_MILLIS = 1500;

  @Test
  @DisplayName("database frozen (SIGSTOP): 0 connections dropped, cached sessions admitted, uncached refused with 503/4503 within the query timeout, recovery after SIGCONT")
  void freeze() throws Exception {
    TestDatabase db = TestDatabase.get();
    assumeTrue(db.embedded() != null, "needs the embedded MariaDB, to stop its process");
    db.session(LIVE, 81L, null, 3600);
    db.session(UNCACHED, 82L, null, 3600);
    JsonObject config = new JsonObject()
        .put("auth", new JsonObject().put("mode", "session")
            .put("revalidateSeconds", REVALIDATE_SECONDS).put("cacheSeconds", CACHE_SECONDS))
        .put("database", db.hubConfig().put("queryTimeoutMillis", QUERY_TIMEOUT_MILLIS).put("connectTimeoutMillis", QUERY_TIMEOUT_MILLIS))
        .put("bridge", new JsonObject().put("permissions", new JsonObject().put("subscribe", List.of("user.{userId}.*"))));
    long pid = mariadbPid(db.hubConfig().getInteger("port"));
    List<BridgeClient> connected = new ArrayList<>();
    try (TestHub hub = TestHub.start(config)) {
      for (Transport transport : List.of(Transport.RAW_WEBSOCKET, Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)) {
        BridgeClient client = transport.connect(hub.port(), Credentials.cookie("PHPSESSID", LIVE));
        connected.add(client);
        client.register("user.81.feed");
        client.sync();
      }
      SessionStore sessions = hub.hub().sessions();
      long frozenAt;
      long rawRefusalMillis;
      long sockJsRefusalMillis;
      signal("STOP", pid);
      try {
        frozenAt = System.nanoTime();
        long before = sessions.unanswered();
        Await.until("a revalidation round inside the freeze, unanswered", Duration.ofSeconds(20),
            () -> sessions.unanswered() > before);
        assertAllReceive(hub, connected, "during the freeze");
        assertAdmitted(hub, "a new tab of a cached session during the freeze");

        long start = System.nanoTime();
        UpgradeRejectedException refusal = WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
            Credentials.cookie("PHPSESSID", UNCACHED));
        rawRefusalMillis = millisSince(start);
        assertEquals(503, refusal.getStatus(), refusal.getBody() == null ? "" : refusal.getBody().toString());
        assertEquals("unavailable", new JsonObject(refusal.getBody()).getString("error"));
        assertTrue(rawRefusalMillis < QUERY_TIMEOUT_MILLIS + MARGIN_MILLIS, "raw refusal took " + rawRefusalMillis + " ms");

        start = System.nanoTime();
        try (BridgeClient sockJs = Transport.SOCKJS_WEBSOCKET.connect(hub.port(), Credentials.query("session", UNCACHED))) {
          assertEquals(CloseCodes.UNAVAILABLE, sockJs.awaitClose().code());
        }
        sockJsRefusalMillis = millisSince(start);
        assertTrue(sockJsRefusalMillis < QUERY_TIMEOUT_MILLIS + MARGIN_MILLIS, "SockJS refusal took " + sockJsRefusalMillis + " ms");

        // Past the cache time with nothing but unanswered revalidations: still admitted.
        long rounds = sessions.unanswered();
        Await.until("30 s of freeze, past the cache time, and another revalidation round", Duration.ofSeconds(60),
            () -> millisSince(frozenAt) > FREEZE_MILLIS && sessions.unanswered() > rounds);
        assertAdmitted(hub, "a new tab of a live session after " + millisSince(frozenAt) + " ms of freeze");
        assertAllReceive(hub, connected, "late in the freeze");
      } finally {
        signal("CONT", pid);
      }
      long frozeMillis = millisSince(frozenAt);
      long thawedAt = System.nanoTime();
      try (BridgeClient recovered = connectWithin(hub, UNCACHED, Duration.ofSeconds(20))) {
        long recoveryMillis = millisSince(thawedAt);
        recovered.register("user.82.feed");
        recovered.sync();
        assertAllReceive(hub, connected, "after the freeze");
        for (BridgeClient client : connected) {
          assertFalse(client.isClosed(), "no connection dropped");
        }
        System.out.printf("database freeze: %d ms frozen, %d connections kept, uncached refused in %d ms (raw 503) "
                + "and %d ms (SockJS 4503), %d revalidations unanswered, recovery %d ms after SIGCONT%n",
            frozeMillis, connected.size(), rawRefusalMillis, sockJsRefusalMillis,
            sessions.unanswered(), recoveryMillis);
        assertTrue(recoveryMillis < 5000, "admitted again " + recoveryMillis + " ms after the database came back");
      }
    } finally {
      connected.forEach(BridgeClient::close);
    }
  }

  private static void assertAllReceive(TestHub hub, List<BridgeClient> clients, String when) {
    String body = "event " + when;
    hub.vertx().eventBus().publish("user.81.feed", body);
    for (BridgeClient client : clients) {
      assertFalse(client.isClosed(), "connection dropped " + when);
      assertEquals(body, client.next().getString("body"), when);
    }
  }

  private static void assertAdmitted(TestHub hub, String what) {
    for (Transport transport : List.of(Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET)) {
      try (BridgeClient tab = transport.connect(hub.port(), Credentials.cookie("PHPSESSID", LIVE))) {
        tab.register("user.81.feed");
        tab.sync();
        assertFalse(tab.isClosed(), what + " over " + transport);
      }
    }
  }

  /** The database answers again at once; the first handshakes may still find the pool reconnecting. */
  private static BridgeClient connectWithin(TestHub hub, String sessionId, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    AssertionError last = null;
    for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
      try {
        BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", sessionId));
        System.out.printf("database freeze: admitted again at attempt %d after SIGCONT%n", attempt);
        return client;
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw new AssertionError("the hub did not admit an uncached session again after the database came back", last);
  }

  /** The embedded MariaDB this JVM started on {@code port}: a child of ours, never another's server. */
  private static long mariadbPid(int port) {
    Pattern own = Pattern.compile("mariadbd .*--port=" + port + "(\\s|$)");
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().map(line -> own.matcher(line).find()).orElse(false))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no mariadbd on port " + port + " among this JVM's processes"));
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + signal + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
