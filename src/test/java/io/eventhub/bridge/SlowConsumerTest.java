package io.eventhub.bridge;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading: its write queue is bounded, the policy applies, and a client that reads
 * keeps getting every event meanwhile.
 */
class SlowConsumerTest {
  static final int EVENTS = 3000;
  static final String BODY = "x".repeat(8 * 1024);

  @ParameterizedTest
  @ValueSource(strings = {"raw", "sockjs"})
  @DisplayName("policy disconnect: a stalled client is cut off while a reading client gets everything")
  void disconnectPolicy(String transport) {
    try (TestHub hub = TestHub.start(limits("disconnect"))) {
      StalledClient stalled = StalledClient.connect(hub.port(), transport);
      BridgeClient reader = reader(hub);
      Connections connections = hub.hub().bridge().connections();
      assertEquals(2, connections.count());

      for (int i = 0; i < EVENTS && connections.count() == 2; i++) {
        hub.vertx().eventBus().publish("demo.firehose", new JsonObject().put("i", i).put("pad", BODY));
        assertEquals(i, reader.next().getJsonObject("body").getInteger("i"), "the reading client is not held up");
      }
      Await.until("the stalled client is cut off", Duration.ofSeconds(10), () -> connections.count() == 1);
      stalled.resume();
      // Its queue was full, so a 4008 close frame would never have been read: the socket was aborted.
      assertNotEquals(CloseCodes.SLOW_CONSUMER, stalled.client.awaitClose().code());
      assertTrue(!reader.isClosed());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "sockjs"})
  @DisplayName("policy drop: a stalled client stays connected, frames beyond its queue are dropped and counted")
  void dropPolicy(String transport) {
    try (TestHub hub = TestHub.start(limits("drop"))) {
      StalledClient stalled = StalledClient.connect(hub.port(), transport);
      BridgeClient reader = reader(hub);
      Connections connections = hub.hub().bridge().connections();

      int published = 0;
      while (published < EVENTS && connections.droppedFrames() == 0) {
        hub.vertx().eventBus().publish("demo.firehose", new JsonObject().put("i", published).put("pad", BODY));
        assertEquals(published, reader.next().getJsonObject("body").getInteger("i"));
        published++;
      }
      long dropped = connections.droppedFrames();
      assertTrue(dropped > 0, "frames were dropped for the stalled client");
      assertEquals(2, connections.count(), "nobody was disconnected");
      stalled.resume();
      int received = stalled.client.syncSkippingEvents();
      assertEquals(published, received + dropped, "every event was either delivered or counted as dropped");
    }
  }

  /** A client that reads everything, subscribed to the firehose. */
  private static BridgeClient reader(TestHub hub) {
    BridgeClient reader = new WebSocketClients.Raw(hub.port());
    reader.register("demo.firehose");
    reader.sync();
    return reader;
  }

  private static JsonObject limits(String policy) {
    return new JsonObject().put("bridge", new JsonObject()
        .put("writeQueueMaxBytes", 32 * 1024).put("slowConsumerPolicy", policy));
  }

  /** A client subscribed to the firehose that then stops reading its socket. */
  private record StalledClient(BridgeClient client, io.vertx.core.http.WebSocket socket) {
    static StalledClient connect(int port, String transport) {
      if (transport.equals("raw")) {
        WebSocketClients.Raw raw = new WebSocketClients.Raw(port);
        return subscribe(raw, raw.socket());
      }
      WebSocketClients.SockJs sockJs = new WebSocketClients.SockJs(port);
      return subscribe(sockJs, sockJs.socket());
    }

    private static StalledClient subscribe(BridgeClient client, io.vertx.core.http.WebSocket socket) {
      client.register("demo.firehose");
      client.sync();
      socket.pause();
      return new StalledClient(client, socket);
    }

    void resume() {
      socket.resume();
    }
  }
}
