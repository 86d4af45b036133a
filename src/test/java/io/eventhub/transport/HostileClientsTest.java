package io.eventhub.transport;

import io.eventhub.bridge.Connections;
import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the hub as a client with ordinary access would make them, measured where they would
 * hurt: the kernel's socket table and TCP memory, the handshakes of everybody else.
 */
class HostileClientsTest {
  static final int STALLED = 200;
  static final int HEALTHY = 100;
  static final int MAX_EVENTS = 400;
  static final String BODY = "x".repeat(8 * 1024);

  @Test
  @DisplayName("200 never-reading clients are cut off and let go within 2 s, 100 readers get every event meanwhile")
  void neverReadingClients() {
    long memBefore = KernelSockets.tcpMemPages();
    JsonObject config = new JsonObject().put("bridge", new JsonObject().put("writeQueueMaxBytes", 32 * 1024));
    try (TestHub hub = TestHub.start(config)) {
      Connections connections = hub.hub().bridge().connections();
      List<BridgeClient> readers = new ArrayList<>();
      List<StalledSocket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < HEALTHY; i++) {
          BridgeClient reader = new WebSocketClients.Raw(hub.port());
          reader.register("demo.firehose");
          reader.sync();
          readers.add(reader);
        }
        Set<Integer> stalledPorts = new HashSet<>();
        for (int i = 0; i < STALLED; i++) {
          StalledSocket socket = StalledSocket.subscribe(hub.port(), "demo.firehose");
          stalled.add(socket);
          stalledPorts.add(socket.localPort());
        }
        assertEquals(HEALTHY + STALLED, connections.count());
        Drops drops = new Drops(hub.port(), stalledPorts, connections);

        long worstLatency = 0;
        int events = 0;
        long memPeak = 0;
        // A steady stream, each event awaited by every reader before the next: its latency is the slowest reader's.
        for (; events < MAX_EVENTS && (connections.count() > HEALTHY || events < 100); events++) {
          long sent = System.nanoTime();
          hub.vertx().eventBus().publish("demo.firehose", new JsonObject().put("i", events).put("pad", BODY));
          for (BridgeClient reader : readers) {
            assertEquals(events, reader.next().getJsonObject("body").getInteger("i"), "a reader missed an event");
          }
          worstLatency = Math.max(worstLatency, System.nanoTime() - sent);
          drops.sample();
          memPeak = Math.max(memPeak, KernelSockets.tcpMemPages());
        }
        assertEquals(HEALTHY, connections.count(), "every stalled client was cut off after " + events + " events");
        try {
          Await.until("the kernel holds no socket of a dropped client", Duration.ofSeconds(5), drops::sampleAllGone);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + KernelSockets.describe(hub.port()), e);
        }
        long memAfter = KernelSockets.tcpMemPages();
        System.out.printf("stalled clients: %d events, worst event latency %d ms, drop-to-gone max %d ms (median %d ms),"
                + " TCP mem pages before %d peak %d after %d%n", events, worstLatency / 1_000_000,
            drops.worstMillis(), drops.medianMillis(), memBefore, memPeak, memAfter);
        assertTrue(drops.worstMillis() < 2000, "a dropped client's socket stayed " + drops.worstMillis() + " ms");
        assertTrue(worstLatency < Duration.ofSeconds(2).toNanos(), "readers were held up " + worstLatency / 1_000_000 + " ms");
        // What is left is mostly the stalled clients' own 4 KB receive buffers, on this test's side; without
        // the abort each of them pinned megabytes on the hub's side (some 700 pages each, measured).
        assertTrue(memAfter - memBefore < STALLED * 8L, "TCP memory went from " + memBefore + " to " + memAfter + " pages");
        readers.forEach(r -> assertFalse(r.isClosed()));
      } finally {
        stalled.forEach(StalledSocket::close);
        readers.forEach(BridgeClient::close);
      }
    }
  }

  @Test
  @DisplayName("a close frame the client never answers: its socket is aborted, gone from the hub's side within 2 s")
  void unansweredClose() {
    try (TestHub hub = TestHub.start()) {
      List<StalledSocket> stalled = new ArrayList<>();
      try {
        Set<Integer> ports = stallQuiet(hub, stalled, 20);
        long closed = System.nanoTime();
        hub.hub().bridge().connections().closeAll(CloseCodes.RECONNECT, "reconnect");
        long gone = awaitGone(hub.port(), ports, Duration.ofSeconds(2));
        System.out.printf("unanswered close frames: sockets gone %d ms after the close%n", (gone - closed) / 1_000_000);
      } finally {
        stalled.forEach(StalledSocket::close);
      }
    }
  }

  @Test
  @DisplayName("the idle timeout aborts a silent client's socket: nothing of it stays on the hub's side")
  void idleTimeout() {
    try (TestHub hub = TestHub.start(new JsonObject().put("http", new JsonObject().put("idleTimeoutSeconds", 1)))) {
      List<StalledSocket> stalled = new ArrayList<>();
      try {
        Set<Integer> ports = stallQuiet(hub, stalled, 20);
        long lastHandshake = System.nanoTime();
        long gone = awaitGone(hub.port(), ports, Duration.ofSeconds(4));
        System.out.printf("idle timeout 1 s: sockets gone %d ms after the last handshake%n", (gone - lastHandshake) / 1_000_000);
      } finally {
        stalled.forEach(StalledSocket::close);
      }
    }
  }

  /** Waits until none of the clients at {@code ports} has a socket left on the hub's side; returns when. */
  /** {@code count} never-reading clients subscribed to a quiet address, added to {@code stalled}; their local ports. */
  private static Set<Integer> stallQuiet(TestHub hub, List<StalledSocket> stalled, int count) {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < count; i++) {
      StalledSocket socket = StalledSocket.subscribe(hub.port(), "demo.quiet");
      stalled.add(socket);
      ports.add(socket.localPort());
    }
    return ports;
  }

  private static long awaitGone(int hubPort, Set<Integer> ports, Duration within) {
    try {
      Await.until("the hub's side of every socket is gone", within, () -> {
        Set<Integer> present = KernelSockets.peersOf(hubPort);
        present.retainAll(ports);
        return present.isEmpty();
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + KernelSockets.describe(hubPort), e);
    }
    return System.nanoTime();
  }

  @Test
  @DisplayName("one user past http.maxConnectionsPerUser is refused with 429 too_many_connections / close 4429, others are not")
  void perUserLimit() {
    TestDatabase db = TestDatabase.get();
    String mine = "hostile-user41-" + UUID.randomUUID();
    String other = "hostile-user42-" + UUID.randomUUID();
    db.session(mine, 41L, null, 3600);
    db.session(other, 42L, null, 3600);
    JsonObject config = sessionConfig(db).put("http", new JsonObject().put("maxConnectionsPerUser", 3));
    try (TestHub hub = TestHub.start(config)) {
      Connections connections = hub.hub().bridge().connections();
      List<BridgeClient> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          open.add(admitted(new WebSocketClients.Raw(hub.port(), Credentials.bearer(mine))));
        }
        UpgradeRejectedException refused = WebSocketClients.rejection(hub.port(), "/eventbus/websocket", Credentials.bearer(mine));
        assertEquals(429, refused.getStatus());
        assertEquals("too_many_connections", new JsonObject(refused.getBody()).getString("error"));
        try (BridgeClient sockJs = new WebSocketClients.SockJs(hub.port(), Credentials.cookie("PHPSESSID", mine))) {
          assertEquals(CloseCodes.TOO_MANY, sockJs.awaitClose().code());
        }
        open.add(admitted(new WebSocketClients.Raw(hub.port(), Credentials.bearer(other))));

        open.remove(0).close();
        Await.until("the closed connection is gone", Duration.ofSeconds(5), () -> connections.count() == 3);
        open.add(admitted(new WebSocketClients.Raw(hub.port(), Credentials.bearer(mine))));
        assertEquals(2, Scrape.of(hub.port()).value("eventhub_connection_attempts_total", "outcome", "too_many_connections"));
      } finally {
        open.forEach(BridgeClient::close);
      }
    }
  }

  @Test
  @DisplayName("anonymous: http.maxConnectionsPerAddress counts X-Forwarded-For's client address behind a trusted proxy")
  void perAddressLimit() {
    JsonObject config = new JsonObject().put("http", new JsonObject()
        .put("maxConnectionsPerAddress", 2).put("trustedProxies", List.of("127.0.0.1")));
    try (TestHub hub = TestHub.start(config)) {
      List<BridgeClient> open = new ArrayList<>();
      try {
        Credentials first = Credentials.header("X-Forwarded-For", "192.0.2.1");
        open.add(admitted(new WebSocketClients.Raw(hub.port(), first)));
        open.add(admitted(new WebSocketClients.Raw(hub.port(), first)));
        UpgradeRejectedException refused = WebSocketClients.rejection(hub.port(), "/eventbus/websocket", first);
        assertEquals(429, refused.getStatus());
        assertEquals("too_many_connections", new JsonObject(refused.getBody()).getString("error"));
        // A client cannot pose as another by prepending entries: the proxy appends the address it saw.
        UpgradeRejectedException spoofed = WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
            Credentials.header("X-Forwarded-For", "198.51.100.7, 192.0.2.1"));
        assertEquals(429, spoofed.getStatus());
        open.add(admitted(new WebSocketClients.Raw(hub.port(), Credentials.header("X-Forwarded-For", "192.0.2.2"))));
        open.add(admitted(new WebSocketClients.Raw(hub.port())));
      } finally {
        open.forEach(BridgeClient::close);
      }
    }
  }

  @Test
  @DisplayName("a flood of random session ids from one address is cut off with 429 too_many_attempts; legitimate handshakes stay fast")
  void randomSessionFlood() {
    TestDatabase db = TestDatabase.get();
    List<String> legit = new ArrayList<>();
    for (int i = 0; i < LEGIT_BEFORE + LEGIT_DURING; i++) {
      String id = "hostile-legit-" + UUID.randomUUID();
      db.session(id, 500L + i, null, 3600);
      legit.add(id);
    }
    JsonObject config = sessionConfig(db).put("http", new JsonObject()
        .put("trustedProxies", List.of("127.0.0.1")).put("maxFailedHandshakesPerMinute", FAILURE_BUDGET));
    try (TestHub hub = TestHub.start(config)) {
      long baseline = 0;
      for (String id : legit.subList(0, LEGIT_BEFORE)) {
        baseline = Math.max(baseline, legitimateHandshake(hub.port(), id));
      }
      String known = legit.get(0);
      String unseen = "hostile-unseen-" + UUID.randomUUID();
      db.session(unseen, 499L, null, 3600);
      Credentials fromFlood = Credentials.header("X-Forwarded-For", "203.0.113.66");
      admitted(new WebSocketClients.Raw(hub.port(), fromFlood.with("Authorization", "Bearer " + known))).close();
      double missesBefore = misses(hub.port());
      Flood flood = Flood.start(hub.port(), "203.0.113.66");
      long during = 0;
      int legitDuring = 0;
      for (String id : legit.subList(LEGIT_BEFORE, legit.size())) {
        during = Math.max(during, legitimateHandshake(hub.port(), id));
        legitDuring += flood.done.isDone() ? 0 : 1;
      }
      Await.until("the flooding address is over its budget", Duration.ofSeconds(10), () -> flood.tooMany.get() > 0);
      // Behind a proxy the hub does not trust, everybody shares the flood's address: a user the
      // hub knows still gets in, one it would have to look up waits.
      admitted(new WebSocketClients.Raw(hub.port(), fromFlood.with("Authorization", "Bearer " + known))).close();
      UpgradeRejectedException waits = WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
          fromFlood.with("Authorization", "Bearer " + unseen));
      assertEquals(429, waits.getStatus());
      assertEquals("too_many_attempts", new JsonObject(waits.getBody()).getString("error"));
      flood.stop();
      double lookups = misses(hub.port()) - missesBefore - LEGIT_DURING;
      System.out.printf("flood: %d attempts in %d ms (%d x 401, %d x 429 with Retry-After), %.0f database lookups for it;"
              + " legitimate handshakes: worst %d ms before, worst %d ms during (%d of %d while it ran)%n",
          flood.attempted.get(), flood.millis, flood.unauthenticated.get(), flood.tooMany.get(), lookups,
          baseline / 1_000_000, during / 1_000_000, legitDuring, LEGIT_DURING);
      assertTrue(legitDuring > LEGIT_DURING / 2, "the flood went on while legitimate clients connected");
      assertEquals(flood.attempted.get(), flood.unauthenticated.get() + flood.tooMany.get(), "every attempt was refused as such");
      assertTrue(flood.unauthenticated.get() <= FAILURE_BUDGET + Flood.CONCURRENCY,
          flood.unauthenticated.get() + " attempts reached the session lookup");
      assertTrue(lookups <= FAILURE_BUDGET + Flood.CONCURRENCY, lookups + " database lookups for the flood");
      assertTrue(during < Math.max(1_000_000_000L, 5 * baseline), "a legitimate handshake took " + during / 1_000_000 + " ms");
    }
  }

  static final int FAILURE_BUDGET = 20;
  static final int LEGIT_BEFORE = 5;
  static final int LEGIT_DURING = 20;

  /** Connects with a valid session nobody used before (so it is looked up) and returns how long it took. */
  private static long legitimateHandshake(int port, String sessionId) {
    long start = System.nanoTime();
    try (BridgeClient client = new WebSocketClients.Raw(port, Credentials.bearer(sessionId)
        .with("X-Forwarded-For", "198.51.100.20"))) {
      long took = System.nanoTime() - start;
      admitted(client);
      return took;
    }
  }

  private static double misses(int port) {
    return Scrape.of(port).value("eventhub_session_lookup_duration_seconds_count", "result", "miss");
  }

  /** Handshakes with random, well-formed session ids from one client address, CONCURRENCY at a time, until stopped. */
  private static final class Flood {
    static final int MAX_ATTEMPTS = 20_000;
    static final int CONCURRENCY = 40;
    static final WebSocketClient CLIENT = ClientVertx.get().createWebSocketClient(
        new WebSocketClientOptions().setMaxConnections(CONCURRENCY * 2).setConnectTimeout(10_000));
    final AtomicInteger attempted = new AtomicInteger();
    final AtomicInteger unauthenticated = new AtomicInteger();
    final AtomicInteger tooMany = new AtomicInteger();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long millis;
    private final int port;
    private final String address;
    private volatile boolean stopped;

    private Flood(int port, String address) {
      this.port = port;
      this.address = address;
    }

    static Flood start(int port, String address) {
      Flood flood = new Flood(port, address);
      long start = System.nanoTime();
      ClientVertx.get().runOnContext(v -> {
        List<Future<Void>> workers = new ArrayList<>();
        for (int i = 0; i < CONCURRENCY; i++) {
          workers.add(flood.attempts(MAX_ATTEMPTS / CONCURRENCY));
        }
        Future.join(workers).onComplete(r -> {
          flood.millis = (System.nanoTime() - start) / 1_000_000;
          flood.done.complete(null);
        });
      });
      return flood;
    }

    private Future<Void> attempts(int left) {
      if (left == 0 || stopped) {
        return Future.succeededFuture();
      }
      attempted.incrementAndGet();
      String randomId = UUID.randomUUID().toString().replace("-", "");
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/eventbus/websocket").addHeader("Authorization", "Bearer " + randomId)
          .addHeader("X-Forwarded-For", address);
      return CLIENT.connect(options).transform(result -> {
        if (result.succeeded()) {
          result.result().close();
        } else if (result.cause() instanceof UpgradeRejectedException refused) {
          String error = new JsonObject(refused.getBody()).getString("error");
          if (refused.getStatus() == 401 && "unauthenticated".equals(error)) {
            unauthenticated.incrementAndGet();
          } else if (refused.getStatus() == 429 && "too_many_attempts".equals(error)
              && Integer.parseInt(refused.getHeaders().get("Retry-After")) > 0) {
            tooMany.incrementAndGet();
          }
        }
        return attempts(left - 1);
      });
    }

    void stop() {
      stopped = true;
      try {
        done.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the flood did not finish", e);
      }
    }
  }

  /** Checks that the hub took the client: a subscription it may make comes back with the barrier. */
  private static BridgeClient admitted(BridgeClient client) {
    client.register("demo.firehose");
    client.sync();
    assertFalse(client.isClosed());
    return client;
  }

  private static JsonObject sessionConfig(TestDatabase db) {
    return new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig());
  }

  /**
   * When stalled clients were dropped (the hub's count) and when their sockets left the kernel's
   * table: the k-th drop is matched with the k-th disappearance, as a socket cannot go before its drop.
   */
  private static final class Drops {
    private final int port;
    private final Set<Integer> ports;
    private final Connections connections;
    private final int healthy;
    private final long[] dropped;
    private final long[] gone;

    Drops(int port, Set<Integer> ports, Connections connections) {
      this.port = port;
      this.ports = ports;
      this.connections = connections;
      this.healthy = connections.count() - ports.size();
      this.dropped = new long[ports.size()];
      this.gone = new long[ports.size()];
    }

    void sample() {
      long now = System.nanoTime();
      int droppedSoFar = ports.size() - (connections.count() - healthy);
      Set<Integer> present = KernelSockets.peersOf(port);
      present.retainAll(ports);
      int goneSoFar = ports.size() - present.size();
      for (int k = 0; k < droppedSoFar; k++) {
        if (dropped[k] == 0) {
          dropped[k] = now;
        }
      }
      for (int k = 0; k < goneSoFar; k++) {
        if (gone[k] == 0) {
          gone[k] = now;
        }
      }
    }

    boolean sampleAllGone() {
      sample();
      return gone[gone.length - 1] != 0;
    }

    private long[] delaysMillis() {
      long[] delays = new long[dropped.length];
      for (int k = 0; k < dropped.length; k++) {
        delays[k] = Math.max(0, (gone[k] - dropped[k]) / 1_000_000);
      }
      java.util.Arrays.sort(delays);
      return delays;
    }

    long worstMillis() {
      long[] delays = delaysMillis();
      return delays[delays.length - 1];
    }

    long medianMillis() {
      long[] delays = delaysMillis();
      return delays[delays.length / 2];
    }
  }
}
