package io.eventhub.transport;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code http.transport}: the delivery path works the same on each of Netty's transports. */
class IoTransportTest {

  @ParameterizedTest
  @ValueSource(strings = {"epoll", "io_uring", "nio"})
  @DisplayName("a hub on each I/O transport upgrades, subscribes and delivers (raw and SockJS)")
  void delivers(String transport) {
    JsonObject config = new JsonObject().put("http", new JsonObject().put("transport", transport));
    if (transport.equals("io_uring") && !Transport.IO_URING.available()) {
      // A kernel without it (or a sandbox that forbids it): the hub does not start, and says why.
      Exception refused = assertThrows(Exception.class, () -> TestHub.start(config));
      assertTrue(String.valueOf(refused.getMessage()).contains("http.transport"), refused.toString());
      return;
    }
    try (TestHub hub = TestHub.start(config);
         BridgeClient raw = new WebSocketClients.Raw(hub.port());
         BridgeClient sockJs = new WebSocketClients.SockJs(hub.port())) {
      String used = ((VertxInternal) hub.vertx()).transport().getClass().getSimpleName().toLowerCase();
      assertTrue(used.contains(transport.replace("_", "")), transport + " is in use: " + used);
      for (BridgeClient client : new BridgeClient[] {raw, sockJs}) {
        client.register("demo.transport");
        client.sync();
      }
      TestHub.publish(hub.port(), "demo.transport", new JsonObject().put("n", 1));
      assertEquals(1, raw.next().getJsonObject("body").getInteger("n"));
      assertEquals(1, sockJs.next().getJsonObject("body").getInteger("n"));
    }
  }
}
