package io.eventhub.bridge;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge protocol over every transport, against a real hub on a loopback port. */
class BridgeProtocolTest {
  static final int MAX_SUBSCRIPTIONS = 5;
  static final int MAX_RATE = 30;
  static final int MAX_FRAME = 4096;
  static TestHub hub;
  static EventBus bus;

  @BeforeAll
  static void start() {
    hub = TestHub.start(new JsonObject().put("bridge", new JsonObject()
        .put("maxSubscriptionsPerConnection", MAX_SUBSCRIPTIONS)
        .put("maxMessagesPerSecond", MAX_RATE)
        .put("maxFrameBytes", MAX_FRAME)));
    bus = hub.vertx().eventBus();
    bus.<Object>consumer("echo", message -> message.reply(new JsonObject().put("echo", message.body()),
        new DeliveryOptions().addHeader("replied-by", "bus")));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("an event published on the bus reaches a subscribed client with its body and headers")
  void busEventReachesSubscriber(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register("demo.news");
      client.sync();
      bus.publish("demo.news", new JsonObject().put("n", 1), new DeliveryOptions().addHeader("h", "v"));
      JsonObject rec = client.next();
      assertEquals("rec", rec.getString("type"));
      assertEquals("demo.news", rec.getString("address"));
      assertEquals(new JsonObject().put("n", 1), rec.getJsonObject("body"));
      assertEquals("v", rec.getJsonObject("headers").getString("h"));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client's publish reaches other clients and bus consumers")
  void clientPublishFansOut(Transport transport) throws Exception {
    CompletableFuture<Object> onBus = new CompletableFuture<>();
    var consumer = bus.consumer("demo.chat", m -> onBus.complete(m.body()));
    try (BridgeClient publisher = transport.connect(hub.port());
         BridgeClient listener = new WebSocketClients.Raw(hub.port())) {
      listener.register("demo.chat");
      listener.sync();
      publisher.send(new JsonObject().put("type", "publish").put("address", "demo.chat").put("body", "hello"));
      assertEquals("hello", listener.next().getString("body"));
      assertEquals("hello", onBus.get(10, TimeUnit.SECONDS));
    } finally {
      consumer.unregister();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a send with a reply address gets the bus service's reply")
  void sendWithReply(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.send(new JsonObject().put("type", "send").put("address", "echo").put("body", "q")
          .put("replyAddress", "my-reply-1"));
      JsonObject reply = client.next();
      assertEquals("rec", reply.getString("type"));
      assertEquals("my-reply-1", reply.getString("address"));
      assertEquals("q", reply.getJsonObject("body").getString("echo"));
      assertEquals("bus", reply.getJsonObject("headers").getString("replied-by"));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client answers a bus request it received point-to-point")
  void clientRepliesToBusRequest(Transport transport) throws Exception {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register("test.questions");
      client.sync();
      CompletableFuture<Message<Object>> answer = bus.request("test.questions", "how many?")
          .toCompletionStage().toCompletableFuture();
      JsonObject question = client.next();
      assertEquals("how many?", question.getString("body"));
      String replyAddress = question.getString("replyAddress");
      assertTrue(replyAddress != null && !replyAddress.isEmpty(), "a request carries a reply address: " + question);
      client.send(new JsonObject().put("type", "send").put("address", replyAddress).put("body", 42));
      assertEquals(42, answer.get(10, TimeUnit.SECONDS).body());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("after unregister a client receives nothing more on that address")
  void unregisterStopsDelivery(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register("demo.a");
      client.register("demo.b");
      client.send(new JsonObject().put("type", "unregister").put("address", "demo.a"));
      client.sync();
      bus.publish("demo.a", "must not arrive");
      bus.publish("demo.b", "arrives");
      JsonObject next = client.next();
      assertEquals("demo.b", next.getString("address"));
      assertEquals("arrives", next.getString("body"));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("subscribe, publish and send outside the permissions are refused with access_denied")
  void permissionsDeny(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register("secret.plans");
      assertError(client.next(), "access_denied", "secret.plans");
      client.send(new JsonObject().put("type", "publish").put("address", "secret.plans").put("body", 1));
      assertError(client.next(), "access_denied", null);
      client.send(new JsonObject().put("type", "send").put("address", "demo.x.y").put("body", 1)
          .put("replyAddress", "r-77"));
      assertError(client.next(), "access_denied", "r-77");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("malformed frames get specific errors and leave the connection usable")
  void malformedFrames(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      client.sendText("this is not json");
      assertError(client.next(), "invalid_json", null);
      client.sendText("[1,2,3]");
      assertError(client.next(), "invalid_json", null);
      client.sendText("{}");
      assertError(client.next(), "unknown_type", null);
      client.sendText("{\"type\":\"explode\",\"address\":\"demo.x\"}");
      assertError(client.next(), "unknown_type", null);
      client.sendText("{\"type\":\"register\"}");
      assertError(client.next(), "missing_address", null);
      client.sendText("{\"type\":\"register\",\"address\":5}");
      assertError(client.next(), "invalid_json", null);
      client.sendText("{\"type\":\"publish\",\"address\":\"demo.x\",\"headers\":{\"a\":1}}");
      assertError(client.next(), "invalid_json", null);
      client.sendText("{\"type\":\"send\",\"address\":\"echo\",\"replyAddress\":7}");
      assertError(client.next(), "invalid_json", null);
      client.sync();
      assertTrue(!client.isClosed(), "the connection stays open after malformed frames");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("one subscription over the per-connection limit is refused with max_subscriptions")
  void subscriptionLimit(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
        client.register("demo.s" + i);
      }
      client.register("demo.one-too-many");
      assertError(client.next(), "max_subscriptions", "demo.one-too-many");
      client.register("demo.s0");
      client.sync();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("too many frames per second are refused with rate_limited, then the client is cut off with 4029")
  void rateLimit(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      String ping = new JsonObject().put("type", "ping").encode();
      for (int i = 0; i < 10 * MAX_RATE && !client.isClosed(); i++) {
        client.sendText(ping);
      }
      assertError(client.next(), "rate_limited", null);
      BridgeClient.CloseInfo close = client.awaitClose();
      assertEquals(CloseCodes.RATE_LIMITED, close.code(), close.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a frame over maxFrameBytes gets frame_too_large and close 4009")
  void frameTooLarge(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      String huge = new JsonObject().put("type", "publish").put("address", "demo.big")
          .put("body", "x".repeat(MAX_FRAME + 1)).encode();
      client.sendText(huge);
      assertError(client.next(), "frame_too_large", null);
      BridgeClient.CloseInfo close = client.awaitClose();
      assertEquals(CloseCodes.FRAME_TOO_LARGE, close.code(), close.toString());
    }
  }

  static void assertError(JsonObject frame, String code, String address) {
    assertEquals("err", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("body"), frame.encode());
    assertTrue(frame.getString("message") != null && !frame.getString("message").isEmpty(), frame.encode());
    if (address == null) {
      assertNull(frame.getString("address"), frame.encode());
    } else {
      assertEquals(address, frame.getString("address"), frame.encode());
    }
  }
}
