package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logged-out sessions lose their connections: by message at once, by revalidation within the interval. */
class RevocationTest {

  static TestHub hub(TestDatabase db, int revalidateSeconds) {
    return TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", revalidateSeconds))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject().put("subscribe", List.of("user.{userId}.*")))));
  }

  @Test
  @DisplayName("a session id published to hub.session.revoked closes that session's connections with 4401, and only those")
  void revokedByMessage() {
    TestDatabase db = TestDatabase.get();
    db.session("revoke-me-0123456789abcdef", 61L, null, 3600);
    db.session("keep-me-0123456789abcdef00", 62L, null, 3600);
    try (TestHub hub = hub(db, 0);
         BridgeClient raw = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", "revoke-me-0123456789abcdef"));
         BridgeClient sockJs = Transport.SOCKJS_XHR_STREAMING.connect(hub.port(), Credentials.query("session", "revoke-me-0123456789abcdef"));
         BridgeClient other = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", "keep-me-0123456789abcdef00"))) {
      raw.sync();
      sockJs.sync();
      other.sync();
      hub.vertx().eventBus().publish("hub.session.revoked", "revoke-me-0123456789abcdef");
      assertEquals(CloseCodes.UNAUTHENTICATED, raw.awaitClose().code());
      assertEquals(CloseCodes.UNAUTHENTICATED, sockJs.awaitClose().code());
      other.sync();
      assertTrue(!other.isClosed(), "other sessions stay");
      assertEquals(401, WebSocketClients.rejection(hub.port(), "/eventbus/websocket",
          Credentials.cookie("PHPSESSID", "revoke-me-0123456789abcdef")).getStatus(),
          "an immediate reconnect is refused even though the application has not deleted the row yet");
    }
  }

  @Test
  @DisplayName("a session that ends in the database is disconnected at the next revalidation")
  void revalidation() {
    TestDatabase db = TestDatabase.get();
    db.session("logout-soon-0123456789abcdef", 63L, null, 3600);
    try (TestHub hub = hub(db, 1);
         BridgeClient client = new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", "logout-soon-0123456789abcdef"))) {
      client.sync();
      db.sql("DELETE FROM sessions WHERE id = 'logout-soon-0123456789abcdef'");
      BridgeClient.CloseInfo close = client.awaitClose();
      assertEquals(CloseCodes.UNAUTHENTICATED, close.code(), close.toString());
    }
  }
}
