package io.eventhub.transport;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SockJS clients learn why the hub closed them, on every transport: the SockJS close frame carries
 * the hub's code, first thing on a refused handshake, and after open too. And every transport that
 * opens a session sets the JSESSIONID cookie, and no other.
 */
class SockJsCloseCodeTest {
  static final String SESSION = "sockjs-close-0123456789abcdef";
  static TestHub hub;
  static HttpClient http;

  @BeforeAll
  static void start() {
    TestDatabase db = TestDatabase.get();
    db.session(SESSION, 21L, null, 3600);
    hub = TestHub.start(sessionConfig(db.hubConfig()));
    http = ClientVertx.get().createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject sessionConfig(JsonObject database) {
    return new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", database)
        .put("bridge", new JsonObject().put("permissions", new JsonObject().put("subscribe", List.of("demo.*"))));
  }

  static void assertRefusedFirst(BridgeClient client, int code) {
    String first = client.firstFrame();
    assertTrue(first.startsWith("c[" + code + ",\""), "the first SockJS frame: " + first);
    BridgeClient.CloseInfo close = client.awaitClose();
    assertEquals(code, close.code(), close.toString());
    assertFalse(close.reason().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "RAW_WEBSOCKET")
  @DisplayName("no session: the first frame is c[4401,reason], with no o before it")
  void noSession(Transport transport) {
    try (BridgeClient client = transport.connect(hub.port())) {
      assertRefusedFirst(client, CloseCodes.UNAUTHENTICATED);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "RAW_WEBSOCKET")
  @DisplayName("an origin that is not allowed: the first frame is c[4403,reason]")
  void foreignOrigin(Transport transport) {
    Credentials evil = Credentials.cookie("PHPSESSID", SESSION).with("Origin", "https://evil.example");
    try (BridgeClient client = transport.connect(hub.port(), evil)) {
      assertRefusedFirst(client, CloseCodes.FORBIDDEN);
    }
  }

  @Test
  @DisplayName("the session database down: the first frame is c[4503,reason] on every SockJS transport")
  void databaseDown() {
    JsonObject nowhere = TestDatabase.get().hubConfig().put("port", HubProcess.freePort());
    try (TestHub down = TestHub.start(sessionConfig(nowhere))) {
      for (Transport transport : Transport.values()) {
        if (transport != Transport.RAW_WEBSOCKET) {
          try (BridgeClient client = transport.connect(down.port(), Credentials.query("session", SESSION))) {
            assertRefusedFirst(client, CloseCodes.UNAVAILABLE);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "RAW_WEBSOCKET")
  @DisplayName("closed after open (session ended, draining), the SockJS close frame carries the hub's code")
  void afterOpen(Transport transport) {
    for (int code : List.of(CloseCodes.UNAUTHENTICATED, CloseCodes.RECONNECT)) {
      try (BridgeClient client = transport.connect(hub.port(), Credentials.cookie("PHPSESSID", SESSION))) {
        assertEquals("o", client.firstFrame());
        client.sync();
        hub.hub().bridge().connections().closeAll(code, "closed by the test");
        BridgeClient.CloseInfo close = client.awaitClose();
        assertEquals(new BridgeClient.CloseInfo(code, "closed by the test"), close);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource", "htmlfile?c=p", "jsonp?c=cb"})
  @DisplayName("a refusal is a whole response in the transport's framing, not cached, with JSESSIONID")
  void refusalResponses(String transport) {
    Answer answer = refusal(transport, Map.of("Cookie", "JSESSIONID=sticky-1"));
    assertEquals(200, answer.status);
    String body = answer.body;
    Matcher frame = Pattern.compile("c\\[4401,\\\\?\"no session id[^\"\\\\]*\\\\?\"]").matcher(body);
    assertTrue(frame.find(), body);
    String close = frame.group().replace("\\\"", "\"");
    String expected = switch (transport) {
      case "xhr" -> close + "\n";
      case "xhr_streaming" -> "h".repeat(2048) + "\n" + close + "\n";
      case "eventsource" -> "\r\ndata: " + close + "\r\n\r\n";
      case "jsonp?c=cb" -> "/**/cb(" + Json.encode(close) + ");\r\n";
      default -> null;
    };
    if (expected == null) {
      assertTrue(body.startsWith("<!doctype html>") && body.contains("var c = parent.p;"), body);
      assertTrue(body.endsWith("<script>\np(" + Json.encode(close) + ");\n</script>\r\n"), body);
      assertTrue(body.indexOf("<script>\np(") >= 1024, "the htmlfile prelude fills the first kilobyte");
    } else {
      assertEquals(expected, body);
    }
  }

  @Test
  @DisplayName("jsonp and htmlfile refusals check the callback name and keep a hostile reason inside its string")
  void callbacksAndEscaping() {
    assertEquals(500, refusal("jsonp?c=alert(1)", Map.of()).status);
    assertEquals(500, refusal("htmlfile", Map.of()).status);
    assertEquals(500, refusal("jsonp?c=" + "a".repeat(33), Map.of()).status);
    // The origin is the client's to choose, and it is part of the reason.
    String body = refusal("htmlfile?c=p", Map.of("Origin", "https://x.example</script><script>alert(1)//")).body;
    assertEquals(2, body.split("</script>", -1).length - 1, "only the prelude's and the frame's script end: " + body);
    assertTrue(body.contains("\\u003c/script>\\u003cscript>alert(1)"), body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource", "htmlfile?c=p", "jsonp?c=cb"})
  @DisplayName("every transport sets JSESSIONID, and only it, on the requests of a session and on a refusal")
  void sessionCookie(String transport) {
    // A browser sends the cookies with the longest path first: Apache's route cookie, then the login.
    String browser = "EVENTHUB_ROUTE=.hub1; PHPSESSID=" + SESSION + "; JSESSIONID=sticky-1";
    String base = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/";
    HttpClientResponse receiving = request(transport.startsWith("xhr") ? HttpMethod.POST : HttpMethod.GET,
        base + transport, browser, null);
    assertEquals(200, receiving.statusCode());
    assertEquals(List.of("JSESSIONID=sticky-1; path=/"), receiving.cookies(), transport + " receiving");

    boolean jsonp = transport.startsWith("jsonp");
    String payload = new JsonArray().add("{\"type\":\"ping\"}").encode();
    HttpClientResponse send = request(HttpMethod.POST, base + (jsonp ? "jsonp_send" : "xhr_send"), browser,
        jsonp ? "d=" + URLEncoder.encode(payload, StandardCharsets.UTF_8) : payload);
    assertEquals(jsonp ? 200 : 204, send.statusCode());
    assertEquals(List.of("JSESSIONID=sticky-1; path=/"), send.cookies(), transport + " send");
    receiving.request().reset();

    assertEquals(List.of("JSESSIONID=sticky-1; path=/"), refusal(transport, Map.of("Cookie", "JSESSIONID=sticky-1")).cookies);
    assertEquals(List.of("JSESSIONID=dummy; path=/"), refusal(transport, Map.of()).cookies);
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource", "htmlfile?c=p", "jsonp?c=cb"})
  @DisplayName("a receiving response says Connection: close, as vertx-web closes the connection after it")
  void receivingSaysClose(String transport) {
    // Asked without Connection: close, as a keep-alive client asks (Vert.x would echo the header).
    HttpClient keepAlive = ClientVertx.get().createHttpClient(new HttpClientOptions().setKeepAlive(true));
    try {
      String uri = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/" + transport;
      HttpClientResponse receiving = request(keepAlive, transport.startsWith("xhr") ? HttpMethod.POST : HttpMethod.GET,
          uri, "PHPSESSID=" + SESSION, null);
      assertEquals("close", receiving.getHeader("Connection"), transport);
      receiving.request().reset();
    } finally {
      keepAlive.close();
    }
  }

  @Test
  @DisplayName("the official sockjs-client (Node and Chromium) and the hosted client see 4401 on every transport")
  void realClients() {
    try (NodeScript node = NodeScript.start("sockjs-close.js", hub.baseUrl())) {
      assertEquals(0, node.exitCode(), node.transcript().toString());
      // What each client saw, run by run: all of them at once, so a failure shows the whole picture.
      Map<String, String> seen = new TreeMap<>();
      for (String line : node.transcript()) {
        if (line.startsWith("{")) {
          JsonObject run = new JsonObject(line);
          boolean why = run.getString("reason", "").startsWith("no session id");
          seen.put(run.getString("where") + " " + run.getString("client") + " " + run.getString("transport"),
              (run.getBoolean("opened") ? "opened, then " : "") + run.getInteger("code") + (why ? " no session id" : " " + run.getString("reason")));
        }
      }
      Map<String, String> expected = new TreeMap<>();
      for (String client : List.of("sockjs", "hosted")) {
        for (String transport : List.of("websocket", "xhr-streaming", "xhr-polling", "eventsource")) {
          expected.put("node " + client + " " + transport, "4401 no session id");
        }
        for (String transport : List.of("websocket", "xhr-streaming", "xhr-polling", "eventsource", "htmlfile", "jsonp-polling")) {
          expected.put("chromium " + client + " " + transport, "4401 no session id");
        }
      }
      assertEquals(expected, seen, node.transcript().toString());
    }
  }

  record Answer(int status, String body, List<String> cookies) {}

  /** A handshake without a login session, over one HTTP transport, as raw HTTP. */
  static Answer refusal(String transport, Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(hub.port())
        .setMethod(transport.startsWith("xhr") ? HttpMethod.POST : HttpMethod.GET)
        .setURI("/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/" + transport);
    headers.forEach(options::putHeader);
    return ClientVertx.call(() -> http.request(options).compose(r -> r.send())
        .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body.toString(), response.cookies()))));
  }

  /** The response's head; a streaming body is left unread. */
  static HttpClientResponse request(HttpMethod method, String uri, String cookie, String body) {
    return request(http, method, uri, cookie, body);
  }

  static HttpClientResponse request(HttpClient client, HttpMethod method, String uri, String cookie, String body) {
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(hub.port()).setMethod(method).setURI(uri)
        .putHeader("Cookie", cookie);
    if (body != null) {
      options.putHeader("Content-Type", body.startsWith("d=") ? "application/x-www-form-urlencoded" : "text/plain");
    }
    return ClientVertx.call(() -> client.request(options).compose(r -> body == null ? r.send() : r.send(Buffer.buffer(body))));
  }
}
