package io.eventhub.transport;

import io.eventhub.bridge.Connections;
import io.eventhub.delivery.FanOut;
import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real JavaScript clients in Node.js: the official Vert.x bridge client, and the hub's own hosted script. */
class NodeClientsTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    hub.vertx().eventBus().<Object>consumer("echo", m -> m.reply(new JsonObject().put("echo", m.body())));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling"})
  @DisplayName("the official @vertx/eventbus-bridge-client.js works unchanged: denial, publish, receive, send with reply")
  void officialClient(String transport) {
    try (NodeScript node = NodeScript.start("official-client.js", hub.baseUrl(), transport)) {
      assertEquals(0, node.exitCode(), node.transcript().toString());
      assertEquals(List.of("ok open", "ok denied", "ok received", "ok reply", "ok send-denied"),
          node.transcript().stream().filter(l -> l.startsWith("ok ")).toList(), node.transcript().toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "eventsource"})
  @DisplayName("the hosted client re-subscribes after a 4000 reconnect and gives up on 4401")
  void hostedClientReconnects(String transport) {
    FanOut fanOut = hub.hub().bridge().fanOut();
    Connections connections = hub.hub().bridge().connections();
    try (NodeScript node = NodeScript.start("hosted-client.js", hub.baseUrl(), transport)) {
      node.expect("open");
      Await.until("the client subscribed", Duration.ofSeconds(10), () -> fanOut.subscriberCount("demo.hosted") == 1);
      node.tell("publish");
      node.expect("event from-client");

      connections.closeAll(CloseCodes.RECONNECT, "reconnect");
      node.expect("reconnecting 4000");
      node.expect("reconnected");
      Await.until("the client subscribed again", Duration.ofSeconds(10), () -> fanOut.subscriberCount("demo.hosted") == 1);
      hub.vertx().eventBus().publish("demo.hosted", "after-reconnect");
      node.expect("event after-reconnect");

      connections.closeAll(CloseCodes.UNAUTHENTICATED, "session expired");
      node.expect("fatal 4401");
      node.expect("still failed");
      assertEquals(0, node.exitCode());
      assertEquals(0, fanOut.subscriberCount("demo.hosted"), "no reconnect after a fatal close");
    }
  }
}
