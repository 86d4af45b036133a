package io.eventhub.delivery;

import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.cluster.RouteProbe;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subscription table: bus consumers grow with distinct addresses, never with clients. */
class FanOutTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  @DisplayName("500 clients on one address share one event-bus consumer, and each gets every event once")
  void oneConsumerPerAddress() {
    FanOut fanOut = hub.hub().bridge().fanOut();
    List<BridgeClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 500; i++) {
        Transport transport = i % 2 == 0 ? Transport.RAW_WEBSOCKET : Transport.SOCKJS_WEBSOCKET;
        BridgeClient client = transport.connect(hub.port());
        clients.add(client);
        client.register("demo.crowd");
      }
      clients.forEach(BridgeClient::sync);
      assertEquals(1, fanOut.consumerCount(), "bus consumers for one address");
      assertEquals(500, fanOut.subscriptionCount());

      for (int n = 0; n < 3; n++) {
        hub.vertx().eventBus().publish("demo.crowd", new JsonObject().put("n", n));
      }
      for (BridgeClient client : clients) {
        for (int n = 0; n < 3; n++) {
          JsonObject rec = client.next();
          assertEquals("demo.crowd", rec.getString("address"));
          assertEquals(n, rec.getJsonObject("body").getInteger("n"), "events arrive once each, in order");
        }
      }
      clients.forEach(c -> assertEquals(0, c.pending(), "no duplicate deliveries"));
    } finally {
      clients.forEach(BridgeClient::close);
    }
    Await.until("every subscription is released", Duration.ofSeconds(10), () -> fanOut.subscriptionCount() == 0);
    assertEquals(0, fanOut.consumerCount(), "the last unsubscribe removes the consumer");
  }

  @Test
  @DisplayName("consumers follow distinct addresses: three addresses over many clients make three consumers")
  void consumersFollowAddresses() {
    FanOut fanOut = hub.hub().bridge().fanOut();
    List<BridgeClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port());
        clients.add(client);
        client.register("demo.room" + (i % 3));
        client.sync();
      }
      assertEquals(3, fanOut.consumerCount());
      BridgeClient leaving = clients.get(0);
      leaving.send(new JsonObject().put("type", "unregister").put("address", "demo.room0"));
      leaving.sync();
      assertEquals(3, fanOut.consumerCount(), "others still listen on demo.room0");
      assertEquals(9, fanOut.subscriberCount("demo.room0"), "only the one that left is gone");
      hub.vertx().eventBus().publish("demo.room0", new JsonObject().put("n", 1));
      for (int i = 3; i < 30; i += 3) {
        assertEquals("demo.room0", clients.get(i).next().getString("address"), "the others still get its events");
      }
      leaving.sync();
      assertEquals(0, leaving.pending(), "the one that left gets nothing");
    } finally {
      clients.forEach(BridgeClient::close);
    }
    Await.until("every consumer is removed", Duration.ofSeconds(10), () -> fanOut.consumerCount() == 0);
  }

  @Test
  @DisplayName("routed completes once the instance's own probe came back, and no probe (its own or another's) reaches a client")
  void probesReachNoClient() throws Exception {
    FanOut fanOut = hub.hub().bridge().fanOut();
    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      client.register("demo.probed");
      client.sync();
      fanOut.routed("demo.probed").await(10, TimeUnit.SECONDS);
      hub.vertx().eventBus().publish("demo.probed", null, new DeliveryOptions().addHeader(RouteProbe.HEADER, "someone-else"));
      hub.vertx().eventBus().publish("demo.probed", new JsonObject().put("n", 1));
      JsonObject rec = client.next();
      assertEquals(1, rec.getJsonObject("body").getInteger("n"), "the first frame is the event: " + rec.encode());
      client.sync();
      assertEquals(0, client.pending(), "nothing else arrived");
    }
    assertTrue(fanOut.routed("demo.unsubscribed").succeeded(), "nobody here subscribes: nothing to wait for");
  }
}
