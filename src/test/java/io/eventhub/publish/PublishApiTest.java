package io.eventhub.publish;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /api/publish} over HTTP, events checked on a real subscribed WebSocket client. */
class PublishApiTest {
  static TestHub hub;
  static WebClient http;
  static BridgeClient subscriber;

  @BeforeAll
  static void start() {
    hub = TestHub.start(new JsonObject().put("publish", new JsonObject().put("maxBodyBytes", 2048).put("maxBatchSize", 3)));
    http = WebClient.create(ClientVertx.get());
    subscriber = new WebSocketClients.Raw(hub.port());
    subscriber.register("demo.api");
    subscriber.sync();
  }

  @AfterAll
  static void stop() {
    subscriber.close();
    hub.close();
  }

  static HttpResponse<Buffer> post(String token, String body) {
    var request = http.post(hub.port(), "127.0.0.1", "/api/publish");
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.sendBuffer(Buffer.buffer(body)).await();
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/json", response.getHeader("content-type"));
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(code, body.getString("error"), body.encode());
    assertEquals(true, body.getString("message") != null && !body.getString("message").isEmpty(), body.encode());
  }

  @Test
  @DisplayName("one event is accepted with 202 and reaches the subscriber with body and headers")
  void publishesOne() {
    HttpResponse<Buffer> response = post(TestHub.TOKEN,
        "{\"address\":\"demo.api\",\"body\":{\"price\":12.5},\"headers\":{\"kind\":\"tick\"}}");
    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertEquals(1, response.bodyAsJsonObject().getInteger("accepted"));
    JsonObject rec = subscriber.next();
    assertEquals(12.5, rec.getJsonObject("body").getDouble("price"));
    assertEquals("tick", rec.getJsonObject("headers").getString("kind"));
  }

  @Test
  @DisplayName("a batch is accepted whole and its events arrive in order")
  void publishesBatch() {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 3; i++) {
      batch.add(new JsonObject().put("address", "demo.api").put("body", i));
    }
    HttpResponse<Buffer> response = post(TestHub.TOKEN, batch.encode());
    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertEquals(3, response.bodyAsJsonObject().getInteger("accepted"));
    for (int i = 0; i < 3; i++) {
      assertEquals(i, subscriber.next().getInteger("body"));
    }
  }

  @Test
  @DisplayName("a batch with one bad event is refused whole: nothing is published")
  void badBatchPublishesNothing() {
    String batch = "[{\"address\":\"demo.api\",\"body\":\"first\"},{\"body\":\"no address\"}]";
    assertError(post(TestHub.TOKEN, batch), 400, "missing_address");
    post(TestHub.TOKEN, "{\"address\":\"demo.api\",\"body\":\"marker\"}");
    assertEquals("marker", subscriber.next().getString("body"), "the first event of the bad batch was not sent");
  }

  @Test
  @DisplayName("a missing or wrong token gets 401")
  void rejectsBadToken() {
    assertError(post(null, "{\"address\":\"demo.api\"}"), 401, "unauthenticated");
    assertError(post("wrong-token-wrong-token", "{\"address\":\"demo.api\"}"), 401, "unauthenticated");
  }

  @Test
  @DisplayName("bad JSON, a missing address, bad headers, unknown fields and oversized batches get 400")
  void rejectsBadRequests() {
    assertError(post(TestHub.TOKEN, "{not json"), 400, "invalid_json");
    assertError(post(TestHub.TOKEN, ""), 400, "invalid_json");
    assertError(post(TestHub.TOKEN, "{\"body\":1}"), 400, "missing_address");
    assertError(post(TestHub.TOKEN, "{\"address\":7}"), 400, "invalid_event");
    assertError(post(TestHub.TOKEN, "{\"address\":\"demo.api\",\"headers\":{\"a\":1}}"), 400, "invalid_event");
    assertError(post(TestHub.TOKEN, "{\"address\":\"demo.api\",\"bdy\":1}"), 400, "invalid_event");
    assertError(post(TestHub.TOKEN, "[]"), 400, "invalid_event");
    assertError(post(TestHub.TOKEN, "\"just a string\""), 400, "invalid_event");
    String fourEvents = "[" + String.join(",", java.util.Collections.nCopies(4, "{\"address\":\"demo.api\"}")) + "]";
    assertError(post(TestHub.TOKEN, fourEvents), 400, "invalid_event");
  }

  @Test
  @DisplayName("a body over publish.maxBodyBytes gets 413")
  void rejectsOversizedBody() {
    String big = "{\"address\":\"demo.api\",\"body\":\"" + "x".repeat(4096) + "\"}";
    assertError(post(TestHub.TOKEN, big), 413, "body_too_large");
  }

  @Test
  @DisplayName("other methods get 405 with an Allow header")
  void rejectsOtherMethods() {
    HttpResponse<Buffer> response = http.get(hub.port(), "127.0.0.1", "/api/publish").send().await();
    assertError(response, 405, "method_not_allowed");
    assertEquals("POST", response.getHeader("allow"));
  }

  @Test
  @DisplayName("with no token configured the API is off and says how to switch it on")
  void offWithoutToken() {
    try (TestHub off = TestHub.start(new JsonObject().put("publish", new JsonObject().put("token", "")))) {
      HttpResponse<Buffer> response = http.post(off.port(), "127.0.0.1", "/api/publish")
          .putHeader("Authorization", "Bearer ")
          .sendBuffer(Buffer.buffer("{\"address\":\"demo.api\"}")).await();
      assertError(response, 401, "unauthenticated");
      assertEquals(true, response.bodyAsJsonObject().getString("message").contains("HUB_PUBLISH_TOKEN"));
    }
  }
}
