package io.eventhub.e2e;

import io.eventhub.testing.ApacheServer;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.tls.TestCertificates;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole path as production has it: headless Chromium -> Apache httpd (the shipped
 * {@code apache/event-hub.conf}, TLS, balancer with its route cookie) -> two clustered hub processes
 * -> the login session in MariaDB; and the hub's own demo page, which Apache does not proxy, straight
 * from a hub. The hubs keep history for demo.numbers and demo.short (five events), for the crash test. Screenshots land in {@code target/e2e-screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserThroughApacheTest {
  static final String SESSION = "e2e-session-0123456789abcdef";
  static final String UNKNOWN_SESSION = "e2e-unknown-0123456789abcdef";
  static final Path SCREENSHOTS = Path.of("target", "e2e-screenshots").toAbsolutePath();
  static final Path ANGULAR_BUILD = Path.of("target", "angular-example", "browser");

  static final List<HubProcess> hubs = new ArrayList<>();
  static final List<String> hubConfigs = new ArrayList<>();
  static Path dir;
  static ApacheServer apache;
  static Map<String, JsonObject> results;

  @BeforeAll
  static void startEverything() throws IOException {
    TestDatabase db = TestDatabase.get();
    db.session(SESSION, 7L, null, 3600);
    dir = Files.createTempDirectory("e2e");
    int[] hubPorts = {HubProcess.freePort(), HubProcess.freePort()};
    int[] hazelcastPorts = {HubProcess.freePort(), HubProcess.freePort()};
    for (int i = 0; i < 2; i++) {
      hubConfigs.add(hubConfig(db, hubPorts[i], hazelcastPorts[i], hazelcastPorts));
      hubs.add(HubProcess.withConfig(dir, "hub" + i, hubConfigs.get(i)));
    }
    hubs.forEach(HubProcess::awaitPort);
    HubProcess.awaitCluster(2, hubs);

    TestCertificates certs = TestCertificates.shared();
    apache = ApacheServer.start(Path.of("apache", "event-hub.conf"), new ApacheServer.Site(
        "localhost", HubProcess.freePort(), HubProcess.freePort(), List.of(hubPorts[0], hubPorts[1]),
        certs.chain(), certs.leafKey, docRoot(dir)));
  }

  static String hubConfig(TestDatabase db, int port, int hazelcastPort, int[] hazelcastPorts) {
    String members = "\"127.0.0.1:" + hazelcastPorts[0] + "\", \"127.0.0.1:" + hazelcastPorts[1] + "\"";
    return """
        {"http": {"host": "127.0.0.1", "port": %d, "instances": 1, "trustedProxies": ["127.0.0.1"]},
         "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d, "members": [%s]},
         "auth": {"mode": "session", "cookie": "PHPSESSID"},
         "database": %s,
         "bridge": {"permissions": {"subscribe": ["demo.*", "user.{userId}.*"], "publish": ["demo.*"], "send": []}},
         "history": {"streams": [{"pattern": "demo.numbers", "size": 1000, "ttlSeconds": 600},
                                 {"pattern": "demo.short", "size": 5, "ttlSeconds": 600}]},
         "presence": {"patterns": ["demo.news"]},
         "publish": {"token": "%s"},
         "shutdown": {"drainSeconds": 20, "handoverSeconds": 8}}""".formatted(port, hazelcastPort, members, db.hubConfig().encode(), TestHub.TOKEN);
  }

  /** The application's document root: the test page, and the Angular example under /app/. */
  static Path docRoot(Path dir) throws IOException {
    Path root = Files.createDirectories(dir.resolve("www"));
    ApacheServer.openForWorkers(dir);
    Files.copy(Path.of("src", "test", "resources", "e2e", "index.html"), root.resolve("index.html"));
    if (!Files.isDirectory(ANGULAR_BUILD)) {
      throw new IllegalStateException(ANGULAR_BUILD + " is missing: the build makes it (npm run build in src/main/angular)");
    }
    try (Stream<Path> files = Files.walk(ANGULAR_BUILD)) {
      for (Path source : files.toList()) {
        Path target = root.resolve("app").resolve(ANGULAR_BUILD.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return root;
  }

  @AfterAll
  static void stopEverything() {
    if (apache != null) {
      apache.close();
    }
    hubs.forEach(HubProcess::close);
  }

  /** Runs the browser once (Chromium starts in seconds, not milliseconds); each test checks its part. */
  static synchronized Map<String, JsonObject> browser() throws IOException {
    if (results == null) {
      results = runBrowser(new JsonObject());
    }
    return results;
  }

  static Map<String, JsonObject> runBrowser(JsonObject options) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    JsonObject config = options.copy()
        .put("base", apache.httpsBase())
        .put("hubs", new JsonArray(hubs.stream().map(HubProcess::port).toList()))
        .put("token", TestHub.TOKEN)
        .put("session", SESSION)
        .put("badSession", UNKNOWN_SESSION)
        .put("screenshots", SCREENSHOTS.toString())
        .put("angular", true)
        .put("hubPids", new JsonArray(hubs.stream().map(h -> h.process().pid()).toList()));
    Map<String, JsonObject> byScenario = new HashMap<>();
    try (NodeScript node = NodeScript.start("browser.js", config.encode())) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      while (!byScenario.containsKey("done")) {
        String line = node.next(Duration.ofSeconds(10));
        if (line == null) {
          assertTrue(System.nanoTime() < deadline, "the browser run did not finish: " + node.transcript());
          continue;
        }
        if (!line.startsWith("{")) {
          continue;
        }
        JsonObject result = new JsonObject(line);
        if (result.getString("scenario").equals("crashed")) {
          fail(failure(result));
        }
        byScenario.put(result.getString("scenario"), result);
      }
    }
    return byScenario;
  }

  /** One scenario's result; a scenario that failed fails only the tests that look at it. */
  static JsonObject scenario(Map<String, JsonObject> results, String name) {
    JsonObject result = results.get(name);
    assertNotNull(result, () -> name + " did not run: " + results.keySet());
    assertFalse(result.containsKey("error"), () -> failure(result));
    return result;
  }

  static String failure(JsonObject result) {
    return "browser scenario failed: " + result.encodePrettily() + "\nApache: " + apache.log()
        + "\nhub0: " + hubs.get(0).output() + "\nhub1: " + hubs.get(1).output();
  }

  /** The events a page showed, sorted: two publishers (one per hub) promise no order between them. */
  static List<String> events(JsonObject result) {
    return result.getJsonArray("events").stream().map(Object::toString).sorted().toList();
  }

  @Test
  @DisplayName("a logged-in browser receives events published on either hub over a WebSocket through Apache")
  void websocket() throws IOException {
    JsonObject result = scenario(browser(), "websocket");
    assertEquals("open", result.getString("state"));
    assertEquals("websocket", result.getString("transport"));
    assertEquals(List.of("websocket event 1", "websocket event 2", "websocket event 3", "websocket event 4",
        "websocket event 5"), events(result));
    assertTrue(Files.size(Path.of(result.getString("screenshot"))) > 0);
  }

  @Test
  @DisplayName("without WebSocket, SockJS polling keeps working on both instances: the route cookie keeps each session on its member")
  void pollingStickiness() throws IOException {
    Map<String, JsonObject> all = browser();
    List<JsonObject> polling = all.keySet().stream().filter(k -> k.startsWith("polling")).sorted()
        .map(k -> scenario(all, k)).toList();
    Set<String> routes = new HashSet<>();
    for (JsonObject result : polling) {
      String label = result.getString("scenario");
      assertEquals("xhr-polling", result.getString("transport"), label);
      assertEquals(List.of(label + " event 1", label + " event 2", label + " event 3", label + " event 4",
          label + " event 5"), events(result), label);
      assertNotNull(result.getString("route"), label + ": Apache set no EVENTHUB_ROUTE cookie");
      routes.add(result.getString("route"));
    }
    assertEquals(Set.of(".hub1", ".hub2"), routes, "both members served polling browsers");

    // Every request of one SockJS session (its polls and sends) went to the same member.
    Pattern sessionRequest = Pattern.compile(" /eventbus/[^/ ]+/([^/ ]+)/xhr\\S* .* route=(\\S+)");
    Map<String, Set<String>> routesBySession = new HashMap<>();
    for (String line : apache.accessLog()) {
      Matcher m = sessionRequest.matcher(line);
      if (m.find()) {
        routesBySession.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
      }
    }
    assertTrue(routesBySession.size() >= polling.size(), "polling sessions in the access log: " + routesBySession);
    routesBySession.forEach((session, served) -> assertEquals(1, served.size(), session + " was served by " + served));
  }

  @Test
  @DisplayName("an unknown session, or none, is refused with close code 4401 and the page is told")
  void refused() throws IOException {
    for (String scenario : List.of("bad-session", "no-session")) {
      JsonObject result = scenario(browser(), scenario);
      assertTrue(result.getString("fatal").startsWith("4401 "), scenario + ": " + result.encode());
    }
  }

  @Test
  @DisplayName("the Angular example page receives events, publishes and shows who is present through its service")
  void angularExample() throws IOException {
    JsonObject result = scenario(browser(), "angular");
    assertEquals("open", result.getString("state"));
    List<String> shown = events(result);
    for (String text : List.of("angular event 1", "angular event 2", "angular event 3", "typed in angular")) {
      assertTrue(shown.stream().anyMatch(s -> s.contains(text)), text + " not in " + shown);
    }
    assertEquals("7", result.getString("present"), "its own user, from the service's presence snapshot or join: " + result.encode());
  }

  @Test
  @DisplayName("the hub's demo page shows its connection open, receives what its form and the publish API publish, and logs no error")
  void demoPage() throws IOException {
    JsonObject result = scenario(browser(), "demo");
    assertEquals("open", result.getString("status"), result.encode());
    assertEquals(List.of("connecting", "open"), result.getJsonArray("shown").getList(), result.encode());
    List<String> shown = events(result);
    for (String text : List.of("typed on the demo page", "published to the demo page")) {
      assertTrue(shown.stream().anyMatch(s -> s.contains(text)), text + " not in " + shown);
    }
    assertEquals(List.of(), result.getJsonArray("problems").getList(), "errors in the browser's console");
  }

  @Test
  @DisplayName("the hub's demo page with an unknown session shows the refusal: 4401 and the reason")
  void demoPageRefused() throws IOException {
    JsonObject result = scenario(browser(), "demo-refused");
    assertTrue(result.getString("status").matches("refused: 4401 \\S.*"), result.encode());
    // The refusal is the SockJS session's first frame: the page never shows open, and never retries.
    List<Object> shown = result.getJsonArray("shown").getList();
    assertEquals(List.of("connecting", result.getString("status")), shown, result.encode());
    assertTrue(result.getBoolean("loginHint"), "the page tells how to log in: " + result.encode());
    assertEquals(List.of(), result.getJsonArray("problems").getList(), "errors in the browser's console");
  }

  @Test
  @Order(Integer.MAX_VALUE - 1) // it kills one of the hubs, and starts it again
  @DisplayName("a hub killed (-9) under pages behind Apache: on a stream they show every number once, in order, and say they recovered; on a too short stream they say they cannot")
  void crashRecovery() throws IOException {
    JsonObject result;
    try {
      result = scenario(runBrowser(new JsonObject().put("scenario", "crash")), "crash");
    } finally {
      restartKilledHubs();
    }
    int last = result.getInteger("last");
    Map<String, JsonObject> pages = new HashMap<>();
    result.getJsonArray("pages").forEach(page -> pages.put(((JsonObject) page).getString("name"), (JsonObject) page));
    for (String name : List.of("page", "angular")) {
      JsonObject page = pages.get(name);
      List<Integer> numbers = numbers(page);
      assertTrue(numbers.get(0) <= result.getInteger("atKill"), name + " showed events before the kill: " + page.encode());
      assertEquals(IntStream.rangeClosed(numbers.get(0), last).boxed().toList(), numbers,
          name + ": every number from its first to the last, once, in order, across the kill");
      assertEquals("open", page.getString("state"), page.encode());
      assertNotNull(page.getString("route"), page.encode());
    }
    // The test page (the hosted client) says how many it got back; the Angular example says it in words.
    // The test page (the hosted client) says how many events it got back, the Angular example in words:
    // the 20 published while they were away (the script holds their way back until then).
    assertEquals("recovered 20", pages.get("page").getString("recovery"), pages.get("page").encode());
    assertEquals("Reconnected without loss: 20 missed events replayed.", pages.get("angular").getString("recovery"),
        pages.get("angular").encode());
    JsonObject shortPage = pages.get("angular-short");
    assertTrue(shortPage.getString("recovery").startsWith("Reconnected, but events were lost (history unavailable)"),
        shortPage.encode());
    List<Integer> shortNumbers = numbers(shortPage);
    assertTrue(shortNumbers.get(0) <= result.getInteger("atKill") && shortNumbers.contains(last)
        && shortNumbers.size() < last - shortNumbers.get(0) + 1, "a gap it was told about, then live: " + shortNumbers);
  }

  static List<Integer> numbers(JsonObject page) {
    return page.getJsonArray("numbers").stream().map(n -> ((Number) n).intValue()).toList();
  }

  /** Starts the hubs a scenario killed again, on the same ports, so that the next test has both. */
  static void restartKilledHubs() {
    for (int i = 0; i < hubs.size(); i++) {
      if (!hubs.get(i).process().isAlive()) {
        hubs.set(i, HubProcess.withConfig(dir, "hub" + i, hubConfigs.get(i)));
      }
    }
    hubs.forEach(HubProcess::awaitPort);
    HubProcess.awaitCluster(2, hubs);
  }

  @Test
  @Order(Integer.MAX_VALUE) // it stops one of the hubs
  @DisplayName("rolling restart behind Apache: SIGTERM to the member two pages use, and both come back through Apache to the other and miss no event")
  void rollingRestart() throws IOException {
    JsonObject result = scenario(runBrowser(new JsonObject().put("scenario", "rolling")), "rolling");
    int last = result.getInteger("last");
    assertTrue(last > result.getInteger("atSigterm"), result.encode());
    List<String> transports = new ArrayList<>();
    for (Object item : result.getJsonArray("pages")) {
      JsonObject page = (JsonObject) item;
      List<Integer> numbers = page.getJsonArray("numbers").stream().map(n -> ((Number) n).intValue()).toList();
      int first = numbers.get(0);
      assertEquals(IntStream.rangeClosed(first, last).boxed().toList(), numbers,
          page.getString("transport") + ": every number from its first to the last, once, in order");
      assertTrue(page.getInteger("reconnects") >= 1, page.encode());
      transports.add(page.getString("transport"));
    }
    assertEquals(List.of("websocket", "xhr-polling"), transports);
    // The demo page, straight on the leaving member, showed the drain's close code (and then kept
    // trying that member: it has no Apache to send it to the other one).
    List<Object> demoShown = result.getJsonArray("demoShown").getList();
    assertEquals(List.of("connecting", "open"), demoShown.subList(0, 2), result.encode());
    assertTrue(demoShown.stream().anyMatch(t -> t.toString().matches("reconnecting in \\d+ ms \\(4000\\)")),
        result.encode());
    HubProcess leaving = hubs.get(Integer.parseInt(result.getString("leaving").replace(".hub", "")) - 1);
    assertEquals(143, leaving.waitFor(), leaving.output());
    // Both pages resumed; a polling session of an earlier, closed page may still be waiting out its
    // SockJS session timeout on that member, and is handed a token nobody claims.
    assertTrue(leaving.output().contains("Drain complete: 2 clients resumed elsewhere"), leaving.output());
  }

  @Test
  @DisplayName("plain HTTP redirects to HTTPS, and the hub's metrics, health and publish API are not reachable through Apache")
  void apacheSurface() {
    WebClient http = WebClient.create(ClientVertx.get(), new WebClientOptions().setFollowRedirects(false)
        .setSsl(true).setTrustAll(true).setVerifyHost(false));
    HttpResponse<Buffer> redirect = http.getAbs(apache.httpBase() + "/eventbus/info").ssl(false).send().await();
    assertEquals(301, redirect.statusCode());
    assertEquals(apache.httpsBase() + "/eventbus/info", redirect.getHeader("Location"));
    for (String path : List.of("/metrics", "/health/ready", "/api/publish")) {
      assertEquals(404, http.getAbs(apache.httpsBase() + path).send().await().statusCode(), path);
    }
    HttpResponse<Buffer> info = http.getAbs(apache.httpsBase() + "/eventbus/info")
        .putHeader("Cookie", "PHPSESSID=" + SESSION).send().await();
    assertEquals(200, info.statusCode());
    assertTrue(info.getHeader("Set-Cookie").startsWith("EVENTHUB_ROUTE=.hub"), info.headers().toString());
  }

  @Test
  @DisplayName("the raw WebSocket endpoint upgrades through Apache with the session cookie and is refused with 401 without it")
  void rawWebSocket() {
    assertRawWebSocketThrough(apache);
  }

  @Test
  @DisplayName("the legacy configuration (mod_proxy_wstunnel + rewrite, for Apache before 2.4.47) proxies WebSocket and SockJS too")
  void legacyConfiguration() throws IOException {
    ApacheServer.Site site = apache.site();
    try (ApacheServer legacy = ApacheServer.start(Path.of("apache", "event-hub-legacy.conf"), new ApacheServer.Site(
        site.serverName(), HubProcess.freePort(), HubProcess.freePort(), site.hubPorts(), site.cert(), site.key(),
        site.docRoot()))) {
      assertRawWebSocketThrough(legacy);
      HttpResponse<Buffer> info = WebClient.create(ClientVertx.get(), new WebClientOptions().setSsl(true)
              .setTrustAll(true).setVerifyHost(false))
          .getAbs(legacy.httpsBase() + "/eventbus/info").putHeader("Cookie", "PHPSESSID=" + SESSION).send().await();
      assertEquals(200, info.statusCode());
      assertTrue(info.bodyAsJsonObject().getBoolean("websocket"), info.bodyAsString());
    }
  }

  static void assertRawWebSocketThrough(ApacheServer server) {
    WebSocketClient client = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions()
        .setSsl(true).setTrustAll(true).setVerifyHost(false));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setSsl(true).setHost("localhost")
        .setPort(server.site().httpsPort()).setURI("/eventbus/websocket")
        .addHeader("Origin", server.httpsBase());
    UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class,
        () -> client.connect(options).await());
    assertEquals(401, refused.getStatus());
    assertEquals("unauthenticated", new JsonObject(refused.getBody()).getString("error"));

    CompletableFuture<String> first = new CompletableFuture<>();
    WebSocket socket = ClientVertx.call(() -> client.connect(options.addHeader("Cookie", "PHPSESSID=" + SESSION))
        .onSuccess(ws -> ws.textMessageHandler(first::complete)));
    try {
      socket.writeTextMessage(new JsonObject().put("type", "register").put("address", "admin.only").encode());
      JsonObject err = new JsonObject(first.get(10, TimeUnit.SECONDS));
      assertEquals("access_denied", err.getString("body"), err.encode());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      socket.close();
    }
  }
}
