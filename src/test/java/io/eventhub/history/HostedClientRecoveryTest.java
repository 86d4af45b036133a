package io.eventhub.history;

import io.eventhub.delivery.FanOut;
import io.eventhub.testing.Await;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JavaScript clients in Node.js: the hub's hosted client remembers positions and recovers by itself
 * on reconnect; the official bridge client asks with {@code registerHandler(address, {since}, handler)}.
 */
class HostedClientRecoveryTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(new JsonObject().put("history", new JsonObject().put("streams", new JsonArray()
        .add(new JsonObject().put("pattern", "test.stream.*").put("size", 100).put("ttlSeconds", 600))
        .add(new JsonObject().put("pattern", "test.short.*").put("size", 3).put("ttlSeconds", 600)))));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  @DisplayName("cut off, the hosted client gets what it missed on reconnect; when it cannot, it says so and goes on live; with nothing missed, it says so at once")
  void recoversOrSaysItCannot() {
    FanOut fanOut = hub.hub().bridge().fanOut();
    try (NodeScript node = NodeScript.start("hosted-recovery.js", hub.baseUrl())) {
      node.expect("open");
      Await.until("the client subscribed", Duration.ofSeconds(10),
          () -> fanOut.subscriberCount("test.stream.hosted") == 1 && fanOut.subscriberCount("test.short.hosted") == 1);
      TestHub.publish(hub.port(), "test.stream.hosted", 1);
      TestHub.publish(hub.port(), "test.short.hosted", 1);
      String first = node.next(Duration.ofSeconds(10));
      String second = node.next(Duration.ofSeconds(10));
      assertTrue(first.startsWith("event test.stream.hosted 1 ") && second.startsWith("event test.short.hosted 1 "),
          first + " / " + second);

      node.tell("cut");
      Await.until("the hub saw the cut", Duration.ofSeconds(10), () -> fanOut.subscriberCount("test.stream.hosted") == 0);
      // While it is away: two events it can recover, and more than test.short.* keeps.
      TestHub.publish(hub.port(), "test.stream.hosted", 2);
      TestHub.publish(hub.port(), "test.stream.hosted", 3);
      for (int n = 2; n <= 6; n++) {
        TestHub.publish(hub.port(), "test.short.hosted", n);
      }
      node.expect("reconnected");
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        lines.add(node.next(Duration.ofSeconds(10)));
      }
      // Per address in order; the two addresses' answers may interleave.
      assertEquals(List.of("recovery test.short.hosted false false"),
          lines.stream().filter(l -> l.contains("short")).toList(), lines.toString());
      assertEquals(List.of("recovery test.stream.hosted true", "event test.stream.hosted 2", "event test.stream.hosted 3"),
          lines.stream().filter(l -> l.contains("test.stream")).map(l -> l.replaceAll(" [^ ]+:\\d+$| (true|false)$", ""))
              .toList(), lines.toString());
      TestHub.publish(hub.port(), "test.short.hosted", 7);
      assertTrue(node.next(Duration.ofSeconds(10)).startsWith("event test.short.hosted 7 "), "then live");

      // Cut again with nothing missed: the outcome comes as soon as the hub has read the history, not
      // with the next event (there is none).
      node.tell("cut");
      Await.until("the hub saw the second cut", Duration.ofSeconds(10), () -> fanOut.subscriberCount("test.stream.hosted") == 0);
      node.expect("reconnected");
      assertEquals(Set.of("recovery test.stream.hosted true true", "recovery test.short.hosted true true"),
          Set.of(node.next(Duration.ofSeconds(10)), node.next(Duration.ofSeconds(10))));
    }
  }

  @Test
  @DisplayName("the official client works with since (replay, history_unavailable) and without (live, with positions)")
  void officialClient() {
    String address = "test.stream.official";
    String since = publishAt(address, "zero");
    String one = publishAt(address, "one");
    String two = publishAt(address, "two");
    String three = Position.parse(two).epoch() + ":" + (Position.parse(two).offset() + 1);
    try (NodeScript node = NodeScript.start("official-recovery.js", hub.baseUrl(), address, since)) {
      assertEquals(0, node.exitCode(), node.transcript().toString());
      assertEquals(List.of("ok open", "ok unavailable", "ok live now with position",
              "ok replayed one@" + one + " two@" + two + " three@" + three),
          node.transcript().stream().filter(l -> l.startsWith("ok ")).toList(), node.transcript().toString());
    }
  }

  private static String publishAt(String address, Object body) {
    return io.vertx.ext.web.client.WebClient.create(io.eventhub.testing.ClientVertx.get())
        .post(hub.port(), "127.0.0.1", "/api/publish").putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendJson(new JsonObject().put("address", address).put("body", body)).await()
        .bodyAsJsonObject().getString("position");
  }
}
