package io.eventhub.history;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import io.eventhub.config.HubConfig;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.client.WebClient;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Hazelcast home in one clustered hub in this JVM: events that a service publishes on the bus get
 * their positions through the interceptor, whose append to the Ringbuffer completes asynchronously.
 */
class HazelcastHistoryTest {
  static final int BRIEF_TTL = 2;
  static TestHub hub;

  @BeforeAll
  static void start() {
    int port = HubProcess.freePort();
    hub = TestHub.start(new JsonObject()
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("hazelcastPort", port)
            .put("members", new JsonArray().add("127.0.0.1:" + port)))
        .put("history", new JsonObject().put("streams", new JsonArray()
            .add(new JsonObject().put("pattern", "test.stream.*").put("size", 100).put("ttlSeconds", 600))
            .add(new JsonObject().put("pattern", "test.brief.*").put("size", 10).put("ttlSeconds", BRIEF_TTL)))));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"RAW_WEBSOCKET", "SOCKJS_WEBSOCKET"})
  @DisplayName("bus-published events are kept in the Ringbuffer with one sequence and recovered in order")
  void busEventsRecovered(Transport transport) {
    String address = "test.stream.hz-" + transport.name().toLowerCase();
    String since;
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register(address);
      client.sync();
      hub.vertx().eventBus().publish(address, 0, new DeliveryOptions().addHeader("from", "service"));
      JsonObject first = client.next();
      assertEquals("service", first.getJsonObject("headers").getString("from"));
      since = first.getJsonObject("headers").getString("position");
    }
    for (int n = 1; n <= 5; n++) {
      hub.vertx().eventBus().publish(address, n);
    }
    try (BridgeClient client = transport.connect(hub.port())) {
      client.send(new JsonObject().put("type", "register").put("address", address)
          .put("headers", new JsonObject().put("since", since)));
      List<Integer> bodies = new ArrayList<>();
      Position previous = Position.parse(since);
      for (int n = 1; n <= 5; n++) {
        JsonObject rec = client.next();
        bodies.add(rec.getInteger("body"));
        Position position = Position.parse(rec.getJsonObject("headers").getString("position"));
        assertEquals(new Position(previous.epoch(), previous.offset() + 1), position);
        previous = position;
      }
      assertEquals(List.of(1, 2, 3, 4, 5), bodies);
      assertEquals(0, client.syncSkippingEvents());
    }
  }

  @Test
  @DisplayName("a stream nobody publishes to is forgotten (epoch entry, then Ringbuffer); used again it starts a new epoch; a busy one is kept")
  void unusedStreamsForgotten() {
    HazelcastInstance hazelcast = ((HazelcastClusterManager) ((VertxInternal) hub.vertx()).clusterManager()).getHazelcastInstance();
    // The hub's own sweep forgets epochs; this one, on the same Hazelcast with the same streams, only
    // waits half a second (not two minutes) before it destroys the Ringbuffers of forgotten epochs.
    new HazelcastHistory(hub.vertx(), hazelcast, new HubConfig.History(List.of(
        new HubConfig.Stream("test.stream.*", 100, 600), new HubConfig.Stream("test.brief.*", 10, BRIEF_TTL))), 200, 500);
    String gone = "test.brief.gone";
    String busy = "test.brief.busy";
    Position old = Position.parse(publish(gone, "old"));
    Position firstBusy = Position.parse(publish(busy, 0));
    assertTrue(ringsOf(hazelcast, gone) == 1 && hazelcast.getMap("hub-history-epochs").containsKey(gone + "@" + gone));
    List<Position> busyPositions = new ArrayList<>(List.of(firstBusy));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(8L * BRIEF_TTL + 10);
    for (int i = 1; i <= 200 && (ringsOf(hazelcast, gone) > 0 || hazelcast.getMap("hub-history-epochs").containsKey(gone + "@" + gone)); i++) {
      assertTrue(System.nanoTime() < deadline, "the unused stream is still kept after " + i + " rounds");
      // Less than the TTL apart: this stream is in use and keeps its history.
      busyPositions.add(Position.parse(publish(busy, i)));
      hub.vertx().timer(300).await();
    }
    for (int i = 1; i < busyPositions.size(); i++) {
      assertEquals(new Position(firstBusy.epoch(), firstBusy.offset() + i), busyPositions.get(i), "the busy stream kept its epoch");
    }
    assertTrue(busyPositions.size() > 2 * BRIEF_TTL, "forgotten only after its TTL: " + busyPositions.size() + " rounds");

    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      client.send(new JsonObject().put("type", "register").put("address", gone)
          .put("headers", new JsonObject().put("since", old.toString())));
      JsonObject err = client.next();
      assertEquals("history_unavailable", err.getString("body"), err.encode());
      Position current = Position.parse(err.getJsonObject("headers").getString("position"));
      assertNotEquals(old.epoch(), current.epoch(), "a forgotten stream never answers in its old epoch");
      assertEquals(0, current.offset());
      String next = publish(gone, "new");
      assertEquals(new Position(current.epoch(), 1), Position.parse(next), "used again: a new epoch, from 1");
      assertEquals(next, client.next().getJsonObject("headers").getString("position"));
    }
    assertFalse(hazelcast.getDistributedObjects().stream().anyMatch(o -> o.getName().contains(old.epoch() + ":" + gone)),
        "the old epoch's Ringbuffer is destroyed");
  }

  private static long ringsOf(HazelcastInstance hazelcast, String address) {
    return hazelcast.getDistributedObjects().stream().map(DistributedObject::getName)
        .filter(name -> name.endsWith(":" + address + "@" + address)).count();
  }

  private static String publish(String address, Object body) {
    return WebClient.create(ClientVertx.get()).post(hub.port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendJson(new JsonObject().put("address", address).put("body", body)).await()
        .bodyAsJsonObject().getString("position");
  }
}
