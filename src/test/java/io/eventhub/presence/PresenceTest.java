package io.eventhub.presence;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Await;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.eventhub.testing.Presences.ask;
import static io.eventhub.testing.Presences.event;
import static io.eventhub.testing.Presences.nextEvent;
import static io.eventhub.testing.Presences.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence on one hub (the memory home) with real logins: per user, not per connection; the grace
 * that keeps a reconnect quiet; snapshots over the bridge and the API; who may see what.
 */
class PresenceTest {
  static final int GRACE_SECONDS = 2;
  static final long RECONNECT_DELAY_MILLIS = 500;
  static final int MAX_USERS = 3;
  static TestHub hub;

  @BeforeAll
  static void start() {
    TestDatabase db = TestDatabase.get();
    for (int user = 40; user < 50; user++) {
      db.session(session(user), (long) user, null, 3600);
    }
    hub = TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject()
            .put("subscribe", List.of("room.*", "secret.{userId}", "demo.*")).put("publish", List.of("room.*", "**"))))
        .put("presence", new JsonObject().put("patterns", List.of("room.*", "secret.*"))
            .put("maxUsers", MAX_USERS).put("graceSeconds", GRACE_SECONDS)));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static String session(int user) {
    return "presence-session-user-" + user + "-0123456789";
  }

  static BridgeClient as(int user) {
    return new WebSocketClients.Raw(hub.port(), Credentials.cookie("PHPSESSID", session(user)));
  }

  static BridgeClient subscribed(int user, String address) {
    BridgeClient client = as(user);
    client.register(address);
    client.sync();
    return client;
  }

  @Test
  @DisplayName("a user joins with their first connection and leaves with their last, a grace period after it")
  void perUser() {
    try (BridgeClient watcher = as(40)) {
      watch(watcher, "room.a");
      BridgeClient first = subscribed(41, "room.a");
      assertEquals(event("join", "41", 1), nextEvent(watcher, Duration.ofSeconds(5)));
      BridgeClient second = subscribed(41, "room.a");
      first.close();
      long lastLeft;
      try (BridgeClient other = subscribed(42, "room.a")) {
        // Had the second connection or the first one's close been an event, it would come first.
        assertEquals(event("join", "42", 2), nextEvent(watcher, Duration.ofSeconds(5)));
        second.close();
        lastLeft = System.nanoTime();
        assertEquals(event("leave", "41", 1), nextEvent(watcher, Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - lastLeft >= Duration.ofSeconds(GRACE_SECONDS).toNanos() * 9 / 10,
            "the leave waits out the grace");
      }
      assertEquals(event("leave", "42", 0), nextEvent(watcher, Duration.ofSeconds(5)));
    }
  }

  @Test
  @DisplayName("a reconnect within the grace period sends neither leave nor join")
  void reconnectWithinGrace() throws InterruptedException {
    try (BridgeClient watcher = as(40)) {
      watch(watcher, "room.b");
      BridgeClient client = subscribed(43, "room.b");
      assertEquals(event("join", "43", 1), nextEvent(watcher, Duration.ofSeconds(5)));
      client.close();
      // A client's reconnect takes a while (its backoff): longer than a flush, shorter than the grace.
      Thread.sleep(RECONNECT_DELAY_MILLIS);
      client = subscribed(43, "room.b");
      // Past the grace: a leave would have been sent by now.
      Thread.sleep(Duration.ofSeconds(GRACE_SECONDS).toMillis() + 500);
      try (BridgeClient other = subscribed(44, "room.b")) {
        assertEquals(event("join", "44", 2), nextEvent(watcher, Duration.ofSeconds(5)), "no leave or join of 43 before");
        JsonObject snapshot = ask(watcher, "room.b").getJsonObject("body");
        assertEquals(new JsonObject().put("address", "room.b").put("connections", 2).put("userCount", 2)
            .put("users", new JsonArray().add(user("43", 1)).add(user("44", 1))), snapshot);
      } finally {
        client.close();
      }
    }
  }

  @Test
  @DisplayName("a snapshot by send to $presence and by GET /api/presence: the same, counts only past maxUsers")
  void snapshots() {
    try (BridgeClient watcher = as(40)) {
      watch(watcher, "room.c");
      List<BridgeClient> users = new java.util.ArrayList<>();
      try {
        for (int user = 45; user < 45 + MAX_USERS; user++) {
          users.add(subscribed(user, "room.c"));
          assertEquals("join", nextEvent(watcher, Duration.ofSeconds(5)).getString("event"));
        }
        users.add(subscribed(45, "room.c"));
        JsonObject expected = new JsonObject().put("address", "room.c").put("connections", 4).put("userCount", 3)
            .put("users", new JsonArray().add(user("45", 2)).add(user("46", 1)).add(user("47", 1)));
        io.eventhub.testing.Await.until("the fourth connection counted", Duration.ofSeconds(5),
            () -> ask(watcher, "room.c").getJsonObject("body").equals(expected));
        HttpResponse<Buffer> response = io.eventhub.testing.Presences.api(hub.port(), "room.c", TestHub.TOKEN);
        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals(expected, response.bodyAsJsonObject());

        users.add(subscribed(48, "room.c"));
        JsonObject countsOnly = new JsonObject().put("address", "room.c").put("connections", 5).put("userCount", 4)
            .put("users", new JsonArray()).put("countsOnly", true);
        io.eventhub.testing.Await.until("the fourth user counted", Duration.ofSeconds(5),
            () -> io.eventhub.testing.Presences.api(hub.port(), "room.c", TestHub.TOKEN).bodyAsJsonObject().equals(countsOnly));
        assertEquals(countsOnly, ask(watcher, "room.c").getJsonObject("body"));
        assertEquals(0, watcher.syncSkippingEvents(), "past maxUsers no join is sent");
      } finally {
        users.forEach(BridgeClient::close);
      }
    }
  }

  @Test
  @DisplayName("no presence of an address one may not subscribe to; $presence is never publishable; untracked addresses answer 404")
  void permissions() {
    try (BridgeClient client = as(41)) {
      client.register("$presence:secret.42");
      JsonObject refused = client.next();
      assertEquals("access_denied", refused.getString("body"), refused.encode());
      assertEquals("$presence:secret.42", refused.getString("address"));
      JsonObject snapshotRefused = ask(client, "secret.42");
      assertEquals("access_denied", snapshotRefused.getString("body"), snapshotRefused.encode());
      assertEquals("rec", ask(client, "secret.41").getString("type"), "one's own is allowed");
      watch(client, "secret.41");

      client.send(new JsonObject().put("type", "publish").put("address", "$presence:room.a")
          .put("body", event("join", "forged", 1)));
      JsonObject forged = client.next();
      assertEquals("access_denied", forged.getString("body"), "even with publish [\"**\"]: " + forged.encode());

      JsonObject untracked = ask(client, "demo.x");
      assertEquals(404, untracked.getInteger("failureCode"), untracked.encode());
      client.register("$presence:demo.x");
      JsonObject neverAnything = client.next();
      assertEquals("access_denied", neverAnything.getString("body"), "untracked: refused, not silent: " + neverAnything.encode());
    }
    assertEquals(401, io.eventhub.testing.Presences.api(hub.port(), "room.a", null).statusCode());
    assertEquals(400, io.eventhub.testing.Presences.api(hub.port(), null, TestHub.TOKEN).statusCode());
    assertError(io.eventhub.testing.Presences.api(hub.port(), "demo.x", TestHub.TOKEN), 404, "not_tracked");
    assertError(io.eventhub.testing.Presences.api(hub.port(), "$presence:room.a", TestHub.TOKEN), 403, "forbidden");
    HttpResponse<Buffer> forgedApi = io.vertx.ext.web.client.WebClient.create(io.eventhub.testing.ClientVertx.get())
        .post(hub.port(), "127.0.0.1", "/api/publish").putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(new JsonObject().put("address", "$presence:room.a").put("body", 1).encode())).await();
    assertEquals(400, forgedApi.statusCode(), forgedApi.bodyAsString());
  }

  @Test
  @DisplayName("metrics: users present through this instance and events sent")
  void metrics() {
    double joinsBefore = Scrape.of(hub.port()).value("eventhub_presence_events_total", "event", "join");
    try (BridgeClient watcher = as(40); BridgeClient user = subscribed(49, "room.m")) {
      watch(watcher, "room.m");
      watcher.close();
      io.eventhub.testing.Await.until("the join counted", Duration.ofSeconds(5),
          () -> Scrape.of(hub.port()).value("eventhub_presence_events_total", "event", "join") == joinsBefore + 1);
      assertTrue(Scrape.of(hub.port()).value("eventhub_presence_users") >= 1);
    }
  }

  @Test
  @DisplayName("anonymous connections count as connections, never as users")
  void anonymous() {
    try (TestHub anonymousHub = TestHub.start(new JsonObject().put("presence",
        new JsonObject().put("patterns", List.of("demo.*")).put("graceSeconds", 0)));
         BridgeClient one = new WebSocketClients.Raw(anonymousHub.port());
         BridgeClient two = new WebSocketClients.Raw(anonymousHub.port())) {
      one.register("demo.lobby");
      two.register("demo.lobby");
      watch(one, "demo.lobby");
      two.sync();
      JsonObject expected = new JsonObject().put("address", "demo.lobby").put("connections", 2).put("userCount", 0)
          .put("users", new JsonArray());
      io.eventhub.testing.Await.until("both counted", Duration.ofSeconds(5),
          () -> ask(two, "demo.lobby").getJsonObject("body").equals(expected));
      assertEquals(0, one.syncSkippingEvents(), "no join for anonymous connections");
    }
  }

  @Test
  @DisplayName("the hosted client: onPresence streams joins and leaves, presence() answers snapshots or rejects")
  void hostedClient() {
    try (NodeScript node = NodeScript.start("hosted-presence.js", hub.baseUrl(), session(40), "room.h")) {
      node.expect("open");
      Await.until("the client watches", Duration.ofSeconds(10),
          () -> hub.hub().bridge().fanOut().subscriberCount("$presence:room.h") == 1);
      try (BridgeClient user = subscribed(41, "room.h")) {
        assertEquals("presence " + event("join", "41", 1).encode(), node.next(Duration.ofSeconds(10)));
        node.tell("snapshot room.h");
        assertEquals("snapshot " + new JsonObject().put("address", "room.h").put("connections", 1).put("userCount", 1)
            .put("users", new JsonArray().add(user("41", 1))).encode(), node.next(Duration.ofSeconds(10)));
        node.tell("snapshot secret.41");
        assertEquals("refused access_denied", node.next(Duration.ofSeconds(10)));
      }
      assertEquals("presence " + event("leave", "41", 0).encode(), node.next(Duration.ofSeconds(10)));
    }
  }

  private static JsonObject user(String id, int connections) {
    return new JsonObject().put("userId", id).put("connections", connections);
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals(error, response.bodyAsJsonObject().getString("error"));
  }
}
