package io.eventhub.metrics;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scrapes /metrics over HTTP from a real hub (metrics on their own port) and watches the figures move. */
class MetricsTest {
  static final String USER = "metrics-user-0123456789abcdef";
  static TestHub hub;

  @BeforeAll
  static void start() {
    TestDatabase db = TestDatabase.get();
    db.session(USER, 91L, null, 3600);
    hub = TestHub.start(new JsonObject()
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig())
        .put("metrics", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        // A hub that keeps history exports its meters from the start, before anything is stored.
        .put("history", new JsonObject().put("streams", new JsonArray().add(new JsonObject()
            .put("pattern", "demo.stream.*").put("size", 10).put("ttlSeconds", 60))))
        .put("bridge", new JsonObject().put("permissions", new JsonObject()
            .put("subscribe", List.of("demo.*")).put("publish", List.of("demo.*")))));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static Scrape scrape() {
    return Scrape.of(hub.hub().metricsPort());
  }

  static Credentials user() {
    return Credentials.cookie("PHPSESSID", USER);
  }

  @Test
  @DisplayName("/metrics is on its own port, not on the client port")
  void separatePort() {
    assertTrue(hub.hub().metricsPort() != hub.port());
    int status = WebClient.create(ClientVertx.get()).get(hub.port(), "127.0.0.1", "/metrics").send().await().statusCode();
    assertEquals(404, status, "the client port (behind the proxy) does not serve /metrics");
  }

  @Test
  @DisplayName("the connections gauge goes up per transport and back to zero")
  void connectionsGauge() {
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(Transport.RAW_WEBSOCKET.connect(hub.port(), user()));
    }
    clients.add(Transport.SOCKJS_WEBSOCKET.connect(hub.port(), user()));
    clients.add(Transport.SOCKJS_XHR_STREAMING.connect(hub.port(), user()));
    clients.forEach(BridgeClient::sync);
    Scrape during = scrape();
    assertEquals(3, during.value("eventhub_connections", "transport", "websocket"));
    assertEquals(1, during.value("eventhub_connections", "transport", "sockjs-websocket"));
    assertEquals(1, during.value("eventhub_connections", "transport", "sockjs-fallback"));
    hub.hub().bridge().connections().closeAll(CloseCodes.RECONNECT, "test");
    Await.until("the gauge is back to zero", Duration.ofSeconds(10), () -> scrape().value("eventhub_connections") == 0);
  }

  @Test
  @DisplayName("handshakes are counted by outcome and timed, session lookups by cache result")
  void handshakes() {
    Scrape before = scrape();
    WebSocketClients.rejection(hub.port(), "/eventbus/websocket", Credentials.NONE);
    WebSocketClients.rejection(hub.port(), "/eventbus/websocket", user().with("Origin", "https://evil.example"));
    try (BridgeClient first = new WebSocketClients.Raw(hub.port(), user());
         BridgeClient second = new WebSocketClients.Raw(hub.port(), user())) {
      first.sync();
      second.sync();
    }
    Scrape after = scrape();
    assertEquals(1, delta(before, after, "eventhub_connection_attempts_total", "outcome", "unauthenticated"));
    assertEquals(1, delta(before, after, "eventhub_connection_attempts_total", "outcome", "forbidden"));
    assertEquals(2, delta(before, after, "eventhub_connection_attempts_total", "outcome", "accepted"));
    assertEquals(4, delta(before, after, "eventhub_handshake_duration_seconds_count"));
    assertTrue(delta(before, after, "eventhub_handshake_duration_seconds_bucket", "le", "10.0") >= 4, after.text().length() + "");
    assertTrue(delta(before, after, "eventhub_session_lookup_duration_seconds_count", "result", "hit") >= 1,
        "the second connect of the same session is a cache hit");
  }

  @Test
  @DisplayName("published events are counted by source, deliveries counted, and delivery latency sampled")
  void deliveries() {
    try (BridgeClient a = new WebSocketClients.Raw(hub.port(), user());
         BridgeClient b = Transport.SOCKJS_WEBSOCKET.connect(hub.port(), user())) {
      a.register("demo.metrics");
      b.register("demo.metrics");
      a.sync();
      b.sync();
      Scrape before = scrape();
      a.send(new JsonObject().put("type", "publish").put("address", "demo.metrics").put("body", 1));
      hub.vertx().eventBus().publish("demo.metrics", 2);
      for (BridgeClient client : List.of(a, b)) {
        client.next();
        client.next();
      }
      // A client can read its frames before the hub has counted the write that sent them.
      Await.until("the four deliveries are counted", Duration.ofSeconds(10),
          () -> delta(before, scrape(), "eventhub_events_delivered_total") >= 4);
      Scrape after = scrape();
      assertEquals(1, delta(before, after, "eventhub_events_published_total", "source", "client"));
      assertEquals(1, delta(before, after, "eventhub_events_published_total", "source", "bus"));
      assertEquals(4, delta(before, after, "eventhub_events_delivered_total"));
      assertTrue(delta(before, after, "eventhub_delivery_latency_seconds_count") >= 1,
          "the client's publish carried its publish time");
    }
  }

  @Test
  @DisplayName("a slow consumer moves the drop and disconnect counters")
  void slowConsumerCounters() {
    JsonObject config = new JsonObject()
        .put("metrics", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("bridge", new JsonObject().put("writeQueueMaxBytes", 16 * 1024).put("slowConsumerPolicy", "drop"));
    try (TestHub dropping = TestHub.start(config)) {
      WebSocketClients.Raw stalled = new WebSocketClients.Raw(dropping.port());
      stalled.register("demo.firehose");
      stalled.sync();
      stalled.socket().pause();
      String pad = "x".repeat(8192);
      for (int i = 0; i < 2000; i++) {
        dropping.vertx().eventBus().publish("demo.firehose", pad);
      }
      Await.until("drops show in /metrics", Duration.ofSeconds(20),
          () -> Scrape.of(dropping.hub().metricsPort()).value("eventhub_events_dropped_total", "reason", "slow_consumer") > 0);
      stalled.close();
    }
  }

  @Test
  @DisplayName("past http.maxConnections newcomers get 503 / 4503 and are counted as limit_exceeded")
  void connectionLimit() {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("maxConnections", 2))
        .put("metrics", new JsonObject().put("port", 0).put("host", "127.0.0.1"));
    try (TestHub limited = TestHub.start(config);
         BridgeClient one = new WebSocketClients.Raw(limited.port());
         BridgeClient two = Transport.SOCKJS_WEBSOCKET.connect(limited.port())) {
      one.sync();
      two.sync();
      var refusal = WebSocketClients.rejection(limited.port(), "/eventbus/websocket", Credentials.NONE);
      assertEquals(503, refusal.getStatus());
      assertEquals("unavailable", new JsonObject(refusal.getBody()).getString("error"));
      try (BridgeClient three = Transport.SOCKJS_XHR_POLLING.connect(limited.port())) {
        assertEquals(CloseCodes.UNAVAILABLE, three.awaitClose().code());
      }
      assertEquals(2, Scrape.of(limited.hub().metricsPort()).value("eventhub_connection_attempts_total", "outcome", "limit_exceeded"));
    }
  }

  @Test
  @DisplayName("every hub metric in the README's reference is exported with the documented type, and no other")
  void readmeReference() throws IOException {
    exerciseEverything();
    Scrape scrape = scrape();
    Pattern row = Pattern.compile("^\\| `(eventhub_[a-z_]+)` \\| (gauge|counter|histogram) \\|", Pattern.MULTILINE);
    Matcher m = row.matcher(Files.readString(Path.of("README.md")));
    Set<String> documented = new TreeSet<>();
    while (m.find()) {
      String name = m.group(1);
      documented.add(name);
      String family = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
      String type = scrape.type(name) != null ? scrape.type(name) : scrape.type(family);
      assertEquals(m.group(2), type, name + " type");
    }
    assertTrue(documented.size() >= 12, documented.toString());
    Set<String> exported = new TreeSet<>();
    for (Scrape.Sample sample : scrape.samples()) {
      if (sample.name().startsWith("eventhub_")) {
        exported.add(sample.name().replaceAll("_(bucket|count|sum|max)$", ""));
      }
    }
    for (String name : exported) {
      assertTrue(documented.contains(name), name + " is exported but not in the README's reference");
    }
  }

  @Test
  @DisplayName("no series carries an event-bus address or a path as a label")
  void boundedLabels() {
    exerciseEverything();
    for (Scrape.Sample sample : scrape().samples()) {
      assertTrue(!sample.labels().containsKey("address") && !sample.labels().containsKey("path")
          && !sample.labels().containsKey("remote"), sample.toString());
    }
  }

  @Test
  @DisplayName("the Grafana dashboard and the alert rules use only metrics a real scrape exports")
  void dashboardAndAlerts() throws IOException {
    exerciseEverything();
    Scrape scrape = scrape();
    List<String> expressions = new ArrayList<>();
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("k8s", "monitoring", "grafana-dashboard.json")));
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
        expressions.add(((JsonObject) target).getString("expr"));
      }
    }
    Map<String, Object> rules = new Yaml().load(Files.readString(Path.of("k8s", "monitoring", "eventhub-alerts.yaml")));
    for (Object group : (List<?>) rules.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        Map<?, ?> r = (Map<?, ?>) rule;
        assertTrue(r.get("alert") instanceof String && r.get("expr") instanceof String, r.toString());
        expressions.add((String) r.get("expr"));
      }
    }
    assertTrue(expressions.size() >= 15, "expressions found: " + expressions.size());
    // Presence's meters exist only where presence is on (like history's): a hub with it answers for them.
    Scrape withPresence;
    try (TestHub presence = TestHub.start(new JsonObject().put("presence", new JsonObject().put("patterns", List.of("demo.*"))));
         BridgeClient client = new WebSocketClients.Raw(presence.port())) {
      client.register("demo.present");
      client.sync();
      withPresence = Scrape.of(presence.port());
    }
    Pattern metric = Pattern.compile("\\b((?:eventhub|vertx|jvm|process|system)_[a-z_]+)\\b");
    for (String expr : expressions) {
      Matcher m = metric.matcher(expr);
      boolean any = false;
      while (m.find()) {
        any = true;
        String name = m.group(1);
        assertTrue(name.startsWith("eventhub_presence_") ? withPresence.hasSeries(name) : scrape.hasSeries(name),
            name + " (in \"" + expr + "\") is not exported");
      }
      assertTrue(any || expr.contains("up{"), "expression uses no known metric: " + expr);
    }
  }

  /** Makes every meter appear at least once: a refused and an accepted handshake, an API publish, a delivery. */
  private static void exerciseEverything() {
    WebSocketClients.rejection(hub.port(), "/eventbus/websocket", Credentials.NONE);
    try (BridgeClient client = new WebSocketClients.Raw(hub.port(), user())) {
      client.register("demo.all");
      client.sync();
      client.send(new JsonObject().put("type", "publish").put("address", "demo.all").put("body", 1));
      client.next();
    }
    WebClient.create(ClientVertx.get()).post(hub.port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(new JsonArray().add(new JsonObject().put("address", "demo.all")).encode())).await();
    hub.hub().bridge().metrics().dropped("slow_consumer", 0);
    hub.hub().bridge().metrics().disconnected("slow_consumer");
    // GC pause series exist once a collection has happened; in a short test JVM that may not be yet.
    System.gc();
    Await.until("a GC pause is recorded", Duration.ofSeconds(10), () -> scrape().hasSeries("jvm_gc_pause_seconds_sum"));
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }
}
