package io.eventhub.http;

import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, the SockJS greeting and info, the demo page and the hosted scripts, over HTTP. */
class HttpEndpointsTest {
  static TestHub hub;
  static WebClient http;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    http = WebClient.create(ClientVertx.get());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static HttpResponse<Buffer> get(String path) {
    return http.get(hub.port(), "127.0.0.1", path).send().await();
  }

  @Test
  @DisplayName("liveness and readiness answer 200 with JSON status UP")
  void health() {
    for (String path : new String[] {"/health/live", "/health/ready"}) {
      HttpResponse<Buffer> response = get(path);
      assertEquals(200, response.statusCode(), path);
      JsonObject body = response.bodyAsJsonObject();
      assertEquals("UP", body.getString("status"), body.encode());
    }
  }

  @Test
  @DisplayName("the SockJS base URL greets on /eventbus and /eventbus/, and /eventbus/info offers websocket")
  void sockJsBase() {
    assertEquals("Welcome to SockJS!\n", get("/eventbus").bodyAsString());
    assertEquals("Welcome to SockJS!\n", get("/eventbus/").bodyAsString());
    JsonObject info = get("/eventbus/info").bodyAsJsonObject();
    assertEquals(true, info.getBoolean("websocket"), info.encode());
  }

  @Test
  @DisplayName("the hub hosts sockjs-client and its own client script, and a demo page that loads both")
  void hostedScripts() {
    HttpResponse<Buffer> sockJs = get("/eventbus/sockjs.min.js");
    assertEquals(200, sockJs.statusCode());
    assertTrue(sockJs.getHeader("content-type").startsWith("application/javascript"));
    assertTrue(sockJs.bodyAsString().contains("SockJS"), "serves sockjs-client");
    HttpResponse<Buffer> client = get("/eventbus/client.js");
    assertEquals(200, client.statusCode());
    assertTrue(client.bodyAsString().contains("EventHub.prototype.subscribe"));
    String page = get("/").bodyAsString();
    assertTrue(page.contains("/eventbus/sockjs.min.js") && page.contains("/eventbus/client.js")
        && page.contains("demo.news"), "the demo page loads the hosted client and subscribes");
  }

  @Test
  @DisplayName("WebSocket compression is declined on both paths, though the client offers it as browsers do (a zlib deflater per connection)")
  void noWebSocketCompression() {
    WebSocketClient client = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions()
        .setTryUsePerMessageCompression(true).setTryUsePerFrameCompression(true));
    try {
      for (String uri : new String[] {"/eventbus/websocket", "/eventbus/000/compression/websocket"}) {
        WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port())
            .setURI(uri)).await();
        assertNull(ws.headers().get("sec-websocket-extensions"), uri);
        ws.close().await();
      }
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("HTTP/1.1 only: a client asking for a cleartext HTTP/2 upgrade is answered in HTTP/1.1 (no h2c handlers per connect)")
  void http11Only() {
    HttpClient client = ClientVertx.get().createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2));
    try {
      // The body read in the same chain: a response that ended before body() was asked for never completes it.
      HttpClientResponse response = client.request(HttpMethod.GET, hub.port(), "127.0.0.1", "/health/live")
          .compose(HttpClientRequest::send)
          .compose(r -> r.body().map(r))
          .timeout(10, TimeUnit.SECONDS).await();
      assertEquals(200, response.statusCode());
      assertEquals(HttpVersion.HTTP_1_1, response.version());
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("an unknown path is a 404")
  void unknownPath() {
    assertEquals(404, get("/nothing-here").statusCode());
  }
}
