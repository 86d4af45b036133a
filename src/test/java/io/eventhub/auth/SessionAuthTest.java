package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session validation at the handshake, against a real MariaDB, over the network like a browser. */
class SessionAuthTest {
  static final String USER7 = "sess-user7-aaaaaaaaaaaaaaaa";
  static final String USER8 = "sess-user8-bbbbbbbbbbbbbbbb";
  static final String EXPIRED = "sess-expired-cccccccccccccc";
  static final String GUEST = "sess-guest-dddddddddddddddd";
  static TestDatabase db;
  static TestHub hub;

  @BeforeAll
  static void start() {
    db = TestDatabase.get();
    db.session(USER7, 7L, "user,editor", 3600);
    db.session(USER8, 8L, null, 3600);
    db.session(EXPIRED, 7L, null, -60);
    db.session(GUEST, null, null, 3600);
    hub = TestHub.start(sessionConfig());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject sessionConfig() {
    return new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject()
            .put("subscribe", List.of("user.{userId}.*", "demo.*"))));
  }

  static UpgradeRejectedException rawRefusal(Credentials credentials) {
    return WebSocketClients.rejection(hub.port(), "/eventbus/websocket", credentials);
  }

  static void assertRefused(UpgradeRejectedException refusal, int status, String error) {
    assertEquals(status, refusal.getStatus());
    JsonObject body = new JsonObject(refusal.getBody());
    assertEquals(error, body.getString("error"), body.encode());
    assertTrue(!body.getString("message").isEmpty());
  }

  static void assertAdmittedAs(BridgeClient client, String userId) {
    client.register("user." + userId + ".inbox");
    client.sync();
    hub.vertx().eventBus().publish("user." + userId + ".inbox", "for " + userId);
    assertEquals("for " + userId, client.next().getString("body"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("the session id in the PHPSESSID cookie admits the user on every transport")
  void cookie(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port(), Credentials.cookie("PHPSESSID", USER7))) {
      assertAdmittedAs(client, "7");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("the session id in the ?session= query parameter admits the user on every transport")
  void query(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port(), Credentials.query("session", USER8))) {
      assertAdmittedAs(client, "8");
    }
  }

  @Test
  @DisplayName("of two PHPSESSID cookies the first counts, whatever surrounds it (as vertx-web's getCookie reads them)")
  void firstCookieOfItsNameCounts() {
    String others = "EVENTHUB_ROUTE=.hub1; theme=\"dark\"; ";
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(),
        Credentials.header("Cookie", others + "PHPSESSID=" + USER8 + "; PHPSESSID=" + USER7))) {
      assertAdmittedAs(client, "8");
    }
    assertRefused(rawRefusal(Credentials.header("Cookie", others + "PHPSESSID=" + EXPIRED + "; PHPSESSID=" + USER7)),
        401, "unauthenticated");
  }

  @Test
  @DisplayName("an Authorization: Bearer session id admits a non-browser client")
  void bearer() {
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.bearer(USER7))) {
      assertAdmittedAs(client, "7");
    }
  }

  @Test
  @DisplayName("user 7 may subscribe to user.7.* and never to user.8.*")
  void userIsolation() {
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", USER7))) {
      client.register("user.8.inbox");
      JsonObject err = client.next();
      assertEquals("access_denied", err.getString("body"), err.encode());
      client.register("user.7.inbox");
      client.sync();
      hub.vertx().eventBus().publish("user.8.inbox", "secret of 8");
      hub.vertx().eventBus().publish("user.7.inbox", "mine");
      assertEquals("mine", client.next().getString("body"), "only user 7's own events arrive");
    }
  }

  @Test
  @DisplayName("raw WebSocket: no, unknown, expired and guest sessions get 401 before the upgrade")
  void rawRefusals() {
    assertRefused(rawRefusal(Credentials.NONE), 401, "unauthenticated");
    assertRefused(rawRefusal(Credentials.cookie("PHPSESSID", "sess-unknown-eeeeeeeeeeeeeeee")), 401, "unauthenticated");
    assertRefused(rawRefusal(Credentials.cookie("PHPSESSID", EXPIRED)), 401, "unauthenticated");
    assertRefused(rawRefusal(Credentials.cookie("PHPSESSID", GUEST)), 401, "unauthenticated");
  }

  @Test
  @DisplayName("a session id that differs only in case is not that session, whatever the column's collation")
  void caseVariantRefused() {
    assertRefused(rawRefusal(Credentials.cookie("PHPSESSID", USER8.toUpperCase(java.util.Locale.ROOT))), 401, "unauthenticated");
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", USER8))) {
      assertAdmittedAs(client, "8");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"short", "' OR '1'='1", "abc' OR '1'='1' -- xxxxxxxxxxx", "sessïon-ñon-ascii-ẞẞẞẞẞẞẞẞẞ", "x"})
  @DisplayName("malformed and injection-shaped session ids are refused without a query")
  void malformedIdsNeverQuery(String id) {
    long before = hub.hub().sessions().queries();
    assertRefused(rawRefusal(Credentials.query("session", id)), 401, "unauthenticated");
    // Too long for a URL (the server answers 414 itself), so the very long one travels as a cookie.
    assertRefused(rawRefusal(Credentials.cookie("PHPSESSID", "a".repeat(5000))), 401, "unauthenticated");
    assertEquals(before, hub.hub().sessions().queries(), "no query for a malformed id");
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"SOCKJS_WEBSOCKET", "SOCKJS_XHR_STREAMING", "SOCKJS_XHR_POLLING", "SOCKJS_EVENTSOURCE"})
  @DisplayName("SockJS: no or unknown sessions are closed with 4401 and a reason")
  void sockJsRefusal(Transport transport) {
    for (Credentials credentials : List.of(Credentials.NONE, Credentials.query("session", "sess-unknown-ffffffffffffff"))) {
      try (BridgeClient client = transport.connect(hub.port(), credentials)) {
        BridgeClient.CloseInfo close = client.awaitClose();
        assertEquals(CloseCodes.UNAUTHENTICATED, close.code(), close.toString());
        assertTrue(close.reason() != null && !close.reason().isEmpty());
      }
    }
  }

  @Test
  @DisplayName("an Origin that is not the hub's own is refused: 403 before the upgrade, 4403 over SockJS")
  void foreignOrigin() {
    Credentials evil = Credentials.cookie("PHPSESSID", USER7).with("Origin", "https://evil.example");
    assertRefused(rawRefusal(evil), 403, "forbidden");
    try (BridgeClient client = Transport.SOCKJS_WEBSOCKET.connect(hub.port(), evil)) {
      assertEquals(CloseCodes.FORBIDDEN, client.awaitClose().code());
    }
    Credentials same = Credentials.cookie("PHPSESSID", USER7).with("Origin", "http://127.0.0.1:" + hub.port());
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), same)) {
      assertAdmittedAs(client, "7");
    }
  }

  @Test
  @DisplayName("a configured origin list admits exactly those origins")
  void originAllowList() {
    JsonObject config = sessionConfig();
    config.getJsonObject("auth").put("allowedOrigins", List.of("https://app.example.com"));
    try (TestHub listed = TestHub.start(config)) {
      Credentials app = Credentials.cookie("PHPSESSID", USER7).with("Origin", "https://app.example.com");
      try (BridgeClient client = new WebSocketClients.Raw(listed.port(), app)) {
        client.sync();
      }
      Credentials other = Credentials.cookie("PHPSESSID", USER7).with("Origin", "https://other.example.com");
      assertEquals(403, WebSocketClients.rejection(listed.port(), "/eventbus/websocket", other).getStatus());
    }
  }

  @Test
  @DisplayName("X-Forwarded-Host counts for the origin check only when the request comes from a trusted proxy")
  void forwardedHostFromTrustedProxyOnly() {
    Credentials proxied = Credentials.cookie("PHPSESSID", USER7).with("Origin", "https://app.example.com")
        .with("X-Forwarded-Host", "app.example.com");
    assertEquals(403, rawRefusal(proxied).getStatus(), "not from a trusted proxy: the header is ignored");
    JsonObject config = sessionConfig().put("http", new JsonObject().put("trustedProxies", List.of("127.0.0.1")));
    try (TestHub behindApache = TestHub.start(config);
         BridgeClient client = new WebSocketClients.Raw(behindApache.port(), proxied)) {
      client.sync();
    }
  }

  @Test
  @DisplayName("a restart storm: 2,000 clients over 200 new sessions at once, one core busy elsewhere: none refused, at most one query per session; warm: none")
  void restartStorm() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = "sess-storm-" + i + "-xxxxxxxxxxxxxxxx";
      db.session(id, 1000L + i, null, 3600);
      ids.add(id);
    }
    // The README's timeouts, not the suite's shorter ones: the storm must pass as operators run the hub.
    JsonObject defaults = sessionConfig().put("database", db.hubConfig()
        .put("connectTimeoutMillis", 2000).put("queryTimeoutMillis", 2000));
    // Cached for longer than a storm can take on a crowded machine: the warm round must find them all.
    defaults.getJsonObject("auth").put("cacheSeconds", 600);
    try (TestHub fresh = TestHub.start(defaults); BusyCore busy = BusyCore.start(Duration.ofSeconds(50))) {
      SessionStore sessions = fresh.hub().sessions();
      WebSocketClient client = ClientVertx.get().createWebSocketClient(
          new WebSocketClientOptions().setMaxConnections(STORM).setConnectTimeout(20_000));
      try {
        Storm cold = Storm.run(client, fresh.port(), ids, STORM);
        System.out.printf("restart storm, cold: %s; %d queries for %d sessions%n", cold, sessions.queries(), ids.size());
        assertEquals(List.of(), cold.failures(), "refused or failed: " + cold);
        assertTrue(sessions.queries() >= 1 && sessions.queries() <= ids.size(),
            "at most one query per distinct session, and no answer without one: " + sessions.queries());
        long before = sessions.queries();
        Storm warm = Storm.run(client, fresh.port(), ids, ids.size());
        System.out.printf("restart storm, warm: %s%n", warm);
        assertEquals(List.of(), warm.failures(), "refused or failed when warm: " + warm);
        assertEquals(before, sessions.queries(), "warm cache: no queries");
      } finally {
        client.close().await();
      }
    }
  }

  private static final int STORM = 2000;

  /** The handshakes of one storm: how long each took, and what went wrong with the others. */
  record Storm(List<Long> nanos, List<String> failures) {
    /**
     * {@code count} raw WebSocket clients over {@code ids}, all initiated together as after a restart;
     * every admitted socket is closed again before it returns.
     */
    static Storm run(WebSocketClient client, int port, List<String> ids, int count) throws Exception {
      List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> connects = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(port).setURI("/eventbus/websocket").setTimeout(30_000)
            .addHeader("Cookie", "PHPSESSID=" + ids.get(i % ids.size()));
        long start = System.nanoTime();
        connects.add(client.connect(options).onComplete(ar -> {
          if (ar.succeeded()) {
            nanos.add(System.nanoTime() - start);
            sockets.add(ar.result());
          } else {
            failures.add(ar.cause() instanceof UpgradeRejectedException rejected
                ? rejected.getStatus() + " " + rejected.getBody() : String.valueOf(ar.cause()));
          }
        }).otherwiseEmpty());
      }
      Future.all(connects).await(60, TimeUnit.SECONDS);
      List<Future<Void>> closes = new ArrayList<>();
      synchronized (sockets) {
        sockets.forEach(socket -> closes.add(socket.close()));
      }
      Future.join(closes).await(20, TimeUnit.SECONDS);
      List<Long> sorted = new ArrayList<>(nanos);
      Collections.sort(sorted);
      return new Storm(sorted, summarize(failures));
    }

    private static List<String> summarize(List<String> failures) {
      synchronized (failures) {
        Map<String, Long> byKind = failures.stream().collect(Collectors.groupingBy(f -> f, TreeMap::new, Collectors.counting()));
        return byKind.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).toList();
      }
    }

    long percentileMillis(double p) {
      return nanos.isEmpty() ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos.get(Math.min(nanos.size() - 1, (int) (nanos.size() * p))));
    }

    @Override
    public String toString() {
      return nanos.size() + " admitted, " + failures + " refused/failed, handshake p50 " + percentileMillis(0.50)
          + " ms, p99 " + percentileMillis(0.99) + " ms, max " + percentileMillis(1.0) + " ms";
    }
  }

  /** Keeps one core busy, as other work does on a shared machine; stops when closed or at its deadline. */
  static final class BusyCore implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    private BusyCore(Duration limit) {
      long deadline = System.nanoTime() + limit.toNanos();
      thread = new Thread(() -> {
        long spins = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
          spins++;
        }
        Blackhole.sink = spins;
      }, "busy-core");
      thread.setDaemon(true);
    }

    static BusyCore start(Duration limit) {
      BusyCore busy = new BusyCore(limit);
      busy.thread.start();
      return busy;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(5000);
    }

    private static final class Blackhole {
      static volatile long sink;
    }
  }
}
