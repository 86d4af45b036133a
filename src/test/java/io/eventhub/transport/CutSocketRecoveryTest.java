package io.eventhub.transport;

import io.eventhub.history.Position;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client whose connection is cut, not closed: no FIN, no close frame reaches the hub (a relay in
 * between stops forwarding and drops the client). The client comes back with its last position and
 * gets every event published meanwhile; the hub lets go of the dead socket by itself (a client that
 * has not answered a ping nor sent anything for {@code http.idleTimeoutSeconds}), and of nothing else.
 */
class CutSocketRecoveryTest {
  static final int IDLE_SECONDS = 2;
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(new JsonObject()
        .put("http", new JsonObject().put("idleTimeoutSeconds", IDLE_SECONDS))
        .put("bridge", new JsonObject().put("heartbeatMillis", 300))
        .put("history", new JsonObject().put("streams", new JsonArray()
            .add(new JsonObject().put("pattern", "test.stream.*").put("size", 100).put("ttlSeconds", 600)))));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"RAW_WEBSOCKET", "SOCKJS_WEBSOCKET"})
  @DisplayName("cut off without a close, a client recovers every event on reconnect; the hub drops the dead socket, not quiet live ones")
  void cutClientRecovers(Transport transport) {
    String address = "test.stream.cut-" + transport.name().toLowerCase();
    String quietAddress = "test.quiet-" + transport.name().toLowerCase();
    try (CuttableRelay relay = new CuttableRelay(hub.port());
         BridgeClient quiet = transport.connect(hub.port())) {
      quiet.register(quietAddress);
      quiet.sync();
      String last;
      try (BridgeClient client = transport.connect(relay.port())) {
        client.register(address);
        client.sync();
        last = null;
        for (int n = 1; n <= 3; n++) {
          String position = publish(address, n);
          JsonObject rec = client.next();
          assertEquals(n, rec.getInteger("body"));
          last = rec.getJsonObject("headers").getString("position");
          assertEquals(position, last);
        }
        int cutPort = relay.hubSidePorts().get(0);
        assertTrue(KernelSockets.peersOf(hub.port()).contains(cutPort), "the hub holds the relayed socket");
        relay.cut();
        client.awaitClose();

        // Published while the client is away; the hub still takes the cut socket for a live one.
        List<String> missed = new ArrayList<>();
        for (int n = 4; n <= 20; n++) {
          missed.add(publish(address, n));
        }
        assertEquals(1, hub.hub().bridge().fanOut().subscriberCount(address), "no FIN: the hub cannot know yet");

        try (BridgeClient back = transport.connect(hub.port())) {
          back.send(new JsonObject().put("type", "register").put("address", address)
              .put("headers", new JsonObject().put("since", last)));
          List<JsonObject> replayed = new ArrayList<>();
          for (int n = 4; n <= 20; n++) {
            replayed.add(back.next());
          }
          assertEquals(IntStream.rangeClosed(4, 20).boxed().toList(),
              replayed.stream().map(f -> f.getInteger("body")).toList(), "every missed event, in order");
          assertEquals(missed, replayed.stream().map(f -> f.getJsonObject("headers").getString("position")).toList());
          Position previous = Position.parse(last);
          for (String text : missed) {
            assertEquals(new Position(previous.epoch(), previous.offset() + 1), Position.parse(text), "no gap");
            previous = Position.parse(text);
          }
          publish(address, 21);
          assertEquals(21, back.next().getInteger("body"), "then live");
          assertEquals(0, back.syncSkippingEvents(), "nothing twice");

          // The dead socket: let go of after the idle timeout, with its subscription and its kernel socket.
          Await.until("the hub let go of the cut socket", Duration.ofSeconds(6L * IDLE_SECONDS), () ->
              hub.hub().bridge().fanOut().subscriberCount(address) == 1
                  && !KernelSockets.peersOf(hub.port()).contains(cutPort));
          // (Counted by the hub's subscriber table above: connections of an earlier run may still be leaving.)
          assertFalse(back.isClosed(), "the client that came back is kept");
          // Silent for longer than the idle timeout too, but alive: it answered the hub's pings.
          assertFalse(quiet.isClosed(), "a quiet live client is kept");
          publish(quietAddress, "still here");
          assertEquals("still here", quiet.next().getString("body"));
        }
      }
    }
  }

  private static String publish(String address, Object body) {
    return WebClient.create(ClientVertx.get()).post(hub.port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendJson(new JsonObject().put("address", address).put("body", body)).await()
        .bodyAsJsonObject().getString("position");
  }
}
