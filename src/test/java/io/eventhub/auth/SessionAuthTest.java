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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
  @DisplayName("a reconnect storm of 400 connects over 40 sessions costs 40 queries cold and none warm")
  void cacheAndCoalescing() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "sess-storm-" + i + "-xxxxxxxxxxxxxxxx";
      db.session(id, 1000L + i, null, 3600);
      ids.add(id);
    }
    // The storm's 40 lookups queue for the pool: a busy machine must not turn them into 503s.
    JsonObject patient = sessionConfig().put("database", db.hubConfig().put("queryTimeoutMillis", 15_000));
    try (TestHub storm = TestHub.start(patient)) {
      SessionStore sessions = storm.hub().sessions();
      WebSocketClient client = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
      List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
      for (int round = 0; round < 2; round++) {
        long before = sessions.queries();
        List<Future<?>> connects = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          WebSocketConnectOptions options = new WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(storm.port()).setURI("/eventbus/websocket")
              .addHeader("Cookie", "PHPSESSID=" + ids.get(i % ids.size()));
          connects.add(client.connect(options).onSuccess(sockets::add));
        }
        Future.all(connects).await();
        long queries = sessions.queries() - before;
        assertEquals(round == 0 ? 40 : 0, queries, round == 0
            ? "one query per distinct session, concurrent lookups shared" : "warm cache: no queries");
      }
      assertEquals(400, sockets.size());
      sockets.forEach(WebSocket::close);
    }
  }
}
