package io.eventhub.auth;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each shipped session layout against real tables in MariaDB. */
class SessionPresetsTest {
  static TestDatabase db;

  @BeforeAll
  static void seed() {
    db = TestDatabase.get();
    long now = System.currentTimeMillis() / 1000;
    db.sql("REPLACE INTO laravel_sessions VALUES ('laravel-live-0123456789abcdef0123456789', 21, '127.0.0.1', 'x', 'YTowOnt9', " + now + ")");
    db.sql("REPLACE INTO laravel_sessions VALUES ('laravel-stale-0123456789abcdef012345678', 21, '127.0.0.1', 'x', 'YTowOnt9', " + (now - 10_000) + ")");
    db.sql("REPLACE INTO laravel_sessions VALUES ('laravel-guest-0123456789abcdef012345678', NULL, '127.0.0.1', 'x', 'YTowOnt9', " + now + ")");
    db.sql("REPLACE INTO symfony_sessions VALUES ('symfony-live-0123456789abcdef', "
        + "'_sf2_attributes|a:1:{s:7:\"user_id\";i:42;}_sf2_meta|a:1:{s:1:\"u\";i:1;}', " + (now + 3600) + ", " + now + ")");
    db.sql("REPLACE INTO symfony_sessions VALUES ('symfony-gone-0123456789abcdef', "
        + "'_sf2_attributes|a:1:{s:7:\"user_id\";i:42;}', " + (now - 1) + ", " + now + ")");
    db.sql("REPLACE INTO symfony_sessions VALUES ('symfony-anon-0123456789abcdef', '_sf2_attributes|a:0:{}', "
        + (now + 3600) + ", " + now + ")");
    db.sql("REPLACE INTO sessions (id, user_id, data, expires_at) VALUES ('plain-data-0123456789abcdef', NULL, "
        + "'a:1:{s:4:\"auth\";a:1:{s:2:\"id\";s:2:\"77\";}}', NOW() + INTERVAL 1 HOUR)");
  }

  static TestHub hub(JsonObject session) {
    return TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("session", session))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject().put("subscribe", List.of("user.{userId}.*")))));
  }

  static void assertUser(TestHub hub, String sessionId, String userId) {
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.query("session", sessionId))) {
      client.register("user." + userId + ".feed");
      client.sync();
      hub.vertx().eventBus().publish("user." + userId + ".feed", "hello " + userId);
      assertEquals("hello " + userId, client.next().getString("body"));
    }
  }

  static void assertRefused(TestHub hub, String sessionId) {
    assertEquals(401, WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
        Credentials.query("session", sessionId)).getStatus(), sessionId);
  }

  @Test
  @DisplayName("laravel: user_id column, alive for lifetimeSeconds after last_activity")
  void laravel() {
    try (TestHub hub = hub(new JsonObject().put("preset", "laravel").put("table", "laravel_sessions").put("lifetimeSeconds", 7200))) {
      assertUser(hub, "laravel-live-0123456789abcdef0123456789", "21");
      assertRefused(hub, "laravel-stale-0123456789abcdef012345678");
      assertRefused(hub, "laravel-guest-0123456789abcdef012345678");
    }
  }

  @Test
  @DisplayName("symfony: PdoSessionHandler table, user id read from the php-serialized attribute bag")
  void symfony() {
    try (TestHub hub = hub(new JsonObject().put("preset", "symfony").put("table", "symfony_sessions")
        .put("dataFormat", "php").put("dataKey", "_sf2_attributes.user_id"))) {
      assertUser(hub, "symfony-live-0123456789abcdef", "42");
      assertRefused(hub, "symfony-gone-0123456789abcdef");
      assertRefused(hub, "symfony-anon-0123456789abcdef");
    }
  }

  @Test
  @DisplayName("plain with a data column: the user id comes out of php_serialize data by a dotted key")
  void plainWithData() {
    try (TestHub hub = hub(new JsonObject().put("preset", "plain").put("userColumn", "user_id").put("dataColumn", "data")
        .put("dataFormat", "php_serialize").put("dataKey", "auth.id"))) {
      assertUser(hub, "plain-data-0123456789abcdef", "77");
    }
  }

  @Test
  @DisplayName("custom: any SELECT with one parameter returning user id, roles, expiry")
  void custom() {
    db.session("custom-sess-0123456789abcdef", 31L, "admin", 3600);
    String query = "SELECT user_id, roles, UNIX_TIMESTAMP(expires_at) FROM sessions WHERE id = ? AND user_id IS NOT NULL";
    try (TestHub hub = hub(new JsonObject().put("preset", "custom").put("query", query))) {
      assertUser(hub, "custom-sess-0123456789abcdef", "31");
      assertRefused(hub, "custom-none-0123456789abcdef");
    }
  }

  @Test
  @DisplayName("sessions asked for together travel in one statement per preset, each answered for itself; a custom query goes once per id")
  void together() throws Exception {
    JsonObject laravel = new JsonObject().put("preset", "laravel").put("table", "laravel_sessions").put("lifetimeSeconds", 7200);
    Map<String, String> laravelUsers = new LinkedHashMap<>();
    laravelUsers.put("laravel-live-0123456789abcdef0123456789", "21");
    laravelUsers.put("laravel-stale-0123456789abcdef012345678", null);
    laravelUsers.put("laravel-guest-0123456789abcdef012345678", null);
    laravelUsers.put("laravel-none-0123456789abcdef0123456789", null);
    assertTogether(laravel, laravelUsers, 1);

    JsonObject symfony = new JsonObject().put("preset", "symfony").put("table", "symfony_sessions")
        .put("dataFormat", "php").put("dataKey", "_sf2_attributes.user_id");
    Map<String, String> symfonyUsers = new LinkedHashMap<>();
    symfonyUsers.put("symfony-live-0123456789abcdef", "42"); // a VARBINARY id column: bytes matched back to the id
    symfonyUsers.put("symfony-gone-0123456789abcdef", null);
    symfonyUsers.put("symfony-anon-0123456789abcdef", null);
    symfonyUsers.put("symfony-none-0123456789abcdef", null);
    assertTogether(symfony, symfonyUsers, 1);

    db.session("custom-sess-0123456789abcdef", 31L, "admin", 3600);
    JsonObject custom = new JsonObject().put("preset", "custom")
        .put("query", "SELECT user_id, roles, UNIX_TIMESTAMP(expires_at) FROM sessions WHERE id = ? AND user_id IS NOT NULL");
    Map<String, String> customUsers = new LinkedHashMap<>();
    customUsers.put("custom-sess-0123456789abcdef", "31");
    customUsers.put("custom-none-0123456789abcdef", null);
    assertTogether(custom, customUsers, 2);
  }

  /** Looks {@code users}' sessions up in one event-loop turn of a fresh hub: a storm in miniature. */
  private static void assertTogether(JsonObject session, Map<String, String> users, long statements) throws Exception {
    try (TestHub hub = hub(session)) {
      SessionStore sessions = hub.hub().sessions();
      CompletableFuture<List<SessionStore.Lookup>> answers = new CompletableFuture<>();
      hub.vertx().getOrCreateContext().runOnContext(v -> {
        List<Future<SessionStore.Lookup>> lookups = users.keySet().stream().map(sessions::lookup).toList();
        Future.all(lookups).onComplete(all -> {
          if (all.succeeded()) {
            answers.complete(lookups.stream().map(Future::result).toList());
          } else {
            answers.completeExceptionally(all.cause());
          }
        });
      });
      List<SessionStore.Lookup> found = answers.get(10, TimeUnit.SECONDS);
      List<String> ids = List.copyOf(users.keySet());
      for (int i = 0; i < ids.size(); i++) {
        String userId = found.get(i) instanceof SessionStore.Valid valid ? valid.identity().userId() : null;
        assertEquals(users.get(ids.get(i)), userId, ids.get(i) + ": " + found.get(i));
      }
      assertEquals(statements, sessions.queries(), "statements for " + ids.size() + " sessions");
    }
  }
}
