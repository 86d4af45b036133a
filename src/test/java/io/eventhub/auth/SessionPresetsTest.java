package io.eventhub.auth;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

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
}
