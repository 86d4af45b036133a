package io.eventhub;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Draining, seen from clients: told to reconnect, refused while it lasts, readiness down. */
class DrainTest {

  @Test
  @DisplayName("draining closes every client with 4000 reconnect, turns readiness down and refuses newcomers")
  void drain() {
    try (TestHub hub = TestHub.start()) {
      List<BridgeClient> clients = new ArrayList<>();
      for (Transport transport : Transport.values()) {
        BridgeClient client = transport.connect(hub.port());
        client.register("demo.news");
        client.sync();
        clients.add(client);
      }
      hub.hub().bridge().drain();
      for (BridgeClient client : clients) {
        BridgeClient.CloseInfo close = client.awaitClose();
        assertEquals(CloseCodes.RECONNECT, close.code(), close.toString());
        assertEquals("reconnect", close.reason());
      }

      WebClient http = WebClient.create(ClientVertx.get());
      HttpResponse<Buffer> ready = http.get(hub.port(), "127.0.0.1", "/health/ready").send().await();
      assertEquals(503, ready.statusCode());
      assertEquals("DOWN", ready.bodyAsJsonObject().getString("status"));
      assertEquals(200, http.get(hub.port(), "127.0.0.1", "/health/live").send().await().statusCode(),
          "a draining hub is still alive");

      WebSocketClient ws = ClientVertx.get().createWebSocketClient();
      UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class, () -> ws.connect(
          new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI("/eventbus/websocket")).await());
      assertEquals(503, refused.getStatus());
      assertEquals("unavailable", new io.vertx.core.json.JsonObject(refused.getBody()).getString("error"));

      BridgeClient lateSockJs = Transport.SOCKJS_XHR_POLLING.connect(hub.port());
      assertEquals(CloseCodes.RECONNECT, lateSockJs.awaitClose().code());
    }
  }
}
