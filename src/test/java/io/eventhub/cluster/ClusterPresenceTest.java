package io.eventhub.cluster;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.Await;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.Presences;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.eventhub.testing.Presences.event;
import static io.eventhub.testing.Presences.nextEvent;
import static io.eventhub.testing.Presences.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence in Hazelcast across three hub processes with real logins: a user is present once whatever
 * member their connections are on, a move between members within the grace is silent, and a member
 * killed with -9 takes its users with it (the leaves reach clients on the survivors, once).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPresenceTest {
  static final int MEMBERS = 3;
  static final int GRACE_SECONDS = 2;
  static final long RECONNECT_DELAY_MILLIS = 500;
  static final Duration EVENT = Duration.ofSeconds(10);
  static HubProcess[] hubs = new HubProcess[MEMBERS];

  @BeforeAll
  static void startCluster() throws IOException {
    TestDatabase db = TestDatabase.get();
    for (int user = 60; user < 70; user++) {
      db.session(session(user), (long) user, null, 3600);
    }
    Path dir = Files.createTempDirectory("cluster-presence");
    int[] hazelcastPorts = IntStream.range(0, MEMBERS).map(i -> HubProcess.freePort()).toArray();
    String members = IntStream.of(hazelcastPorts).mapToObj(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(","));
    for (int i = 0; i < MEMBERS; i++) {
      hubs[i] = HubProcess.withConfig(dir, "hub" + i, """
          {"http": {"host": "127.0.0.1", "port": 0, "instances": 1},
           "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d, "members": [%s]},
           "auth": {"mode": "session", "revalidateSeconds": 0},
           "database": %s,
           "bridge": {"permissions": {"subscribe": ["room.*"], "publish": [], "send": []}},
           "presence": {"patterns": ["room.*"], "graceSeconds": %d},
           "publish": {"token": "%s"},
           "shutdown": {"drainSeconds": 1}}""".formatted(hazelcastPorts[i], members, db.hubConfig().encode(),
          GRACE_SECONDS, TestHub.TOKEN));
    }
    HubProcess.awaitClusterOf(hubs);
  }

  @AfterAll
  static void stopCluster() {
    HubProcess.closeAll(hubs);
  }

  static String session(int user) {
    return "cluster-presence-user-" + user + "-0123456789";
  }

  static BridgeClient as(int user, int hub) {
    return new WebSocketClients.Raw(hubs[hub].port(), Credentials.cookie("PHPSESSID", session(user)));
  }

  static BridgeClient subscribed(int user, int hub, String address) {
    BridgeClient client = as(user, hub);
    client.register(address);
    client.sync();
    return client;
  }

  static JsonObject api(int hub, String address) {
    var response = Presences.api(hubs[hub].port(), address, TestHub.TOKEN);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  @Test
  @Order(1)
  @DisplayName("one join per user whatever members their connections are on, seen on another member; one leave with the last")
  void acrossMembers() {
    try (BridgeClient watcher = as(60, 0)) {
      watch(watcher, "room.x");
      BridgeClient onOne = subscribed(61, 1, "room.x");
      assertEquals(event("join", "61", 1), nextEvent(watcher, EVENT));
      BridgeClient onTwo = subscribed(61, 2, "room.x");
      JsonObject both = new JsonObject().put("address", "room.x").put("connections", 2).put("userCount", 1)
          .put("users", new JsonArray().add(new JsonObject().put("userId", "61").put("connections", 2)));
      Await.until("both connections counted, seen from member 0", Duration.ofSeconds(10), () -> api(0, "room.x").equals(both));
      assertEquals(both, Presences.ask(watcher, "room.x").getJsonObject("body"), "the bridge's snapshot, from member 0");
      onOne.close();
      try (BridgeClient other = subscribed(62, 2, "room.x")) {
        assertEquals("join", nextEvent(watcher, EVENT).getString("event"), "nothing for 61 before");
        onTwo.close();
        JsonObject left = nextEvent(watcher, EVENT);
        assertEquals("leave", left.getString("event"));
        assertEquals("61", left.getString("userId"));
      }
      assertEquals(event("leave", "62", 0), nextEvent(watcher, EVENT));
    }
  }

  @Test
  @Order(2)
  @DisplayName("a user who moves to another member within the grace period (a rolling restart) neither leaves nor joins")
  void moveWithinGrace() throws InterruptedException {
    try (BridgeClient watcher = as(60, 0)) {
      watch(watcher, "room.y");
      BridgeClient client = subscribed(63, 1, "room.y");
      assertEquals(event("join", "63", 1), nextEvent(watcher, EVENT));
      client.close();
      // A client's reconnect takes a while (its backoff): longer than a flush, shorter than the grace.
      Thread.sleep(RECONNECT_DELAY_MILLIS);
      client = subscribed(63, 2, "room.y");
      // Past the grace: member 1 has written 63 gone by now, and member 2 had counted 63 before.
      Thread.sleep(Duration.ofSeconds(GRACE_SECONDS).toMillis() + 1000);
      try (BridgeClient other = subscribed(64, 0, "room.y")) {
        assertEquals(event("join", "64", 2), nextEvent(watcher, EVENT), "no leave or join of 63 before");
      } finally {
        client.close();
      }
    }
  }

  @Test
  @Order(3)
  @DisplayName("kill -9 of a member: its users leave, once, for clients on the survivors, within failure detection")
  void killedMember() {
    try (BridgeClient watcher = as(60, 0); BridgeClient otherWatcher = as(66, 1)) {
      watch(watcher, "room.z");
      watch(otherWatcher, "room.z");
      BridgeClient doomed = subscribed(65, 2, "room.z");
      BridgeClient staying = subscribed(67, 1, "room.z");
      assertEquals(event("join", "65", 1), nextEvent(watcher, EVENT));
      assertEquals(event("join", "67", 2), nextEvent(watcher, EVENT));
      assertEquals(event("join", "65", 1), nextEvent(otherWatcher, EVENT));
      assertEquals(event("join", "67", 2), nextEvent(otherWatcher, EVENT));
      long killed = System.nanoTime();
      hubs[2].kill();
      doomed.close();
      assertEquals(event("leave", "65", 1), nextEvent(watcher, Duration.ofSeconds(30)));
      long took = System.nanoTime() - killed;
      assertEquals(event("leave", "65", 1), nextEvent(otherWatcher, Duration.ofSeconds(10)));
      assertTrue(took < Duration.ofSeconds(20).toNanos(), "within failure detection (6 s here): " + took / 1_000_000 + " ms");
      try (BridgeClient later = subscribed(68, 0, "room.z")) {
        assertEquals(event("join", "68", 2), nextEvent(watcher, EVENT), "the leave came once");
        assertEquals(event("join", "68", 2), nextEvent(otherWatcher, EVENT), "the leave came once");
        assertEquals(new JsonArray().add(new JsonObject().put("userId", "67").put("connections", 1))
            .add(new JsonObject().put("userId", "68").put("connections", 1)), api(1, "room.z").getJsonArray("users"));
      } finally {
        staying.close();
      }
    }
  }

  @Test
  @Order(4)
  @DisplayName("a rolling restart (SIGTERM, drain, the client back on a survivor within the grace) neither leaves nor joins")
  void rollingRestart() throws InterruptedException {
    try (BridgeClient watcher = as(60, 0)) {
      watch(watcher, "room.r");
      BridgeClient drained = subscribed(69, 1, "room.r");
      assertEquals(event("join", "69", 1), nextEvent(watcher, EVENT));
      hubs[1].terminate();
      assertEquals(4000, drained.awaitClose().code(), "told to reconnect");
      Thread.sleep(RECONNECT_DELAY_MILLIS);
      try (BridgeClient back = subscribed(69, 0, "room.r")) {
        hubs[1].waitFor();
        // The survivors have seen it leave (and pruned what it counted).
        List<HubProcess> alive = Arrays.stream(hubs).filter(hub -> hub.process().isAlive()).toList();
        HubProcess.awaitCluster(alive.size(), alive);
        try (BridgeClient later = subscribed(68, 0, "room.r")) {
          assertEquals(event("join", "68", 2), nextEvent(watcher, EVENT), "no leave or join of 69 before");
        }
      }
    }
  }
}
