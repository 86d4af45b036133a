package io.eventhub.history;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Hazelcast home in one clustered hub in this JVM: events that a service publishes on the bus get
 * their positions through the interceptor, whose append to the Ringbuffer completes asynchronously.
 */
class HazelcastHistoryTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    int port = HubProcess.freePort();
    hub = TestHub.start(new JsonObject()
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("hazelcastPort", port)
            .put("members", new JsonArray().add("127.0.0.1:" + port)))
        .put("history", new JsonObject().put("streams", new JsonArray()
            .add(new JsonObject().put("pattern", "test.stream.*").put("size", 100).put("ttlSeconds", 600)))));
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
}
