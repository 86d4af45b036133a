package io.eventhub;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.database.Database;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.Transport;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub as operators run it: a separate JVM started with a config file, stopped with SIGTERM. */
class MainProcessTest {
  private final List<HubProcess> processes = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void killLeftovers() {
    processes.forEach(HubProcess::close);
  }

  private HubProcess spawn(Map<String, String> env, String... args) {
    HubProcess process = HubProcess.spawn(env, args);
    processes.add(process);
    return process;
  }

  private Path conf(String json) throws Exception {
    Path file = dir.resolve("hub.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  @DisplayName("an invalid configuration exits with 2 and one line per problem naming the key")
  void invalidConfigExits2() throws Exception {
    HubProcess run = spawn(Map.of("HUB_BRIDGE_MAX_FRAME_BYTES", "lots"),
        "--conf", conf("{\"http\": {\"port\": -5, \"hots\": \"x\"}}").toString());
    assertEquals(Main.EXIT_BAD_CONFIG, run.waitFor(), run.output());
    assertTrue(run.output().contains("http.hots: unknown key"), run.output());
    assertTrue(run.output().contains("HUB_BRIDGE_MAX_FRAME_BYTES: must be a whole number"), run.output());
  }

  @Test
  @DisplayName("check-config prints the effective configuration with secrets masked")
  void checkConfig() throws Exception {
    HubProcess run = spawn(Map.of("HUB_PUBLISH_TOKEN", "secret-secret-secret-1", "HUB_HTTP_PORT", "9999",
        "HUB_DATABASE_PASSWORD", "db-secret-42"), "--conf", conf("{}").toString(), "check-config");
    assertEquals(0, run.waitFor(), run.output());
    assertTrue(run.output().contains("\"port\" : 9999"), run.output());
    assertTrue(run.output().contains("\"token\" : \"***\""), run.output());
    assertTrue(!run.output().contains("secret-secret-secret-1") && !run.output().contains("db-secret-42"),
        "secrets are never printed");
  }

  @Test
  @DisplayName("a port already in use exits with 1 and says so")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      HubProcess run = spawn(Map.of(), "--conf", conf("{\"http\": {\"host\": \"127.0.0.1\", \"port\": "
          + taken.getLocalPort() + "}, \"auth\": {\"mode\": \"anonymous\"}}").toString());
      assertEquals(Main.EXIT_START_FAILED, run.waitFor(), run.output());
      assertTrue(run.output().contains("could not start"), run.output());
    }
  }

  @Test
  @DisplayName("SIGTERM tells every connected client to reconnect (4000) and the process exits within the drain time")
  void sigtermDrains() throws Exception {
    HubProcess hub = spawn(Map.of(), "--conf", conf("""
        {"http": {"host": "127.0.0.1", "port": 0},
         "auth": {"mode": "anonymous"},
         "bridge": {"permissions": {"subscribe": ["demo.*"]}},
         "shutdown": {"drainSeconds": 10}}""").toString());
    int port = hub.awaitPort();
    List<BridgeClient> clients = new ArrayList<>();
    for (Transport transport : List.of(Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)) {
      BridgeClient client = transport.connect(port);
      client.register("demo.news");
      client.sync();
      clients.add(client);
    }
    long start = System.nanoTime();
    hub.terminate();
    for (BridgeClient client : clients) {
      assertEquals(CloseCodes.RECONNECT, client.awaitClose().code());
    }
    assertEquals(143, hub.waitFor(), "exit status of a SIGTERM'd JVM");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertTrue(seconds <= 10, "exit within the drain time, took " + seconds + " s");
  }

  /**
   * What a newcomer reading the console takes for trouble: a WARN or ERROR level, the levels in the
   * embedded MariaDB's relayed output ({@code [Warning]}, {@code [ERROR]}), a JVM warning, a stack trace.
   */
  private static final Pattern ALARMING = Pattern.compile("(?i)\\b(warn|warning|error|severe|fatal)\\b|exception");

  private static List<String> alarming(List<String> lines) {
    return lines.stream().filter(line -> ALARMING.matcher(line).find()).toList();
  }

  @ParameterizedTest(name = "clustering on: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("the README's run command logs no warning and no error: not up to the line saying the hub is up, not while it serves and stops")
  void quietStart(boolean clustered) {
    Map<String, String> env = new HashMap<>(Map.of("HUB_HTTP_HOST", "127.0.0.1", "HUB_HTTP_PORT", "0"));
    if (clustered) {
      // One member: the start-up of Hazelcast and of the clustered event bus is what is looked at.
      String hazelcast = Integer.toString(HubProcess.freePort());
      env.putAll(Map.of("HUB_CLUSTER_ENABLED", "true", "HUB_CLUSTER_HAZELCAST_PORT", hazelcast,
          "HUB_CLUSTER_MEMBERS", "127.0.0.1:" + hazelcast));
    }
    HubProcess hub = spawn(env);
    int port = hub.awaitPort();
    assertEquals(List.of(), alarming(hub.lines()), "the start, up to the line saying the hub is up:\n" + hub.output());

    // Its first connections and requests: Vert.x registers its per-connection gauges again here.
    WebClient web = WebClient.create(ClientVertx.get());
    assertEquals(200, web.get(port, "127.0.0.1", "/health/ready").send().await().statusCode());
    try (BridgeClient client = Transport.SOCKJS_WEBSOCKET.connect(port, Credentials.query("session", Database.DEMO_SESSION_ID))) {
      client.register("demo.news");
      client.sync();
    }
    hub.terminate();
    assertEquals(143, hub.waitFor(), hub.output());
    assertEquals(List.of(), alarming(hub.lines()), "the start, the first clients and the stop:\n" + hub.output());
  }

  @Test
  @DisplayName("the shipped configuration starts an embedded MariaDB with a demo session that the demo page's client can use")
  void embeddedDefault() {
    HubProcess hub = spawn(Map.of("HUB_HTTP_HOST", "127.0.0.1", "HUB_HTTP_PORT", "0"));
    int port = hub.awaitPort();
    String page = WebClient.create(ClientVertx.get()).get(port, "127.0.0.1", "/").send().await().bodyAsString();
    assertTrue(page.contains("/eventbus/client.js"), "the demo page is served");
    Credentials demo = Credentials.query("session", Database.DEMO_SESSION_ID);
    try (BridgeClient client = Transport.SOCKJS_WEBSOCKET.connect(port, demo);
         BridgeClient publisher = Transport.RAW_WEBSOCKET.connect(port, demo)) {
      client.register("demo.news");
      client.register("user.1.notes");
      client.sync();
      publisher.send(new JsonObject().put("type", "publish").put("address", "demo.news").put("body", "hi"));
      assertEquals("hi", client.next().getString("body"), "the demo user publishes and receives on demo.news");
    }
    assertEquals(401, WebSocketClients.rejection(port, "/eventbus/websocket", Credentials.NONE).getStatus(),
        "without the session: refused");
    hub.terminate();
    hub.waitFor();
  }
}
