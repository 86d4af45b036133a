package io.eventhub;

import io.eventhub.bridge.CloseCodes;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub as operators run it: a separate JVM started with a config file, stopped with SIGTERM. */
class MainProcessTest {
  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");
  private final List<Process> processes = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void killLeftovers() {
    processes.forEach(Process::destroyForcibly);
  }

  record Run(int exitCode, String output) {}

  private Process spawn(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // The hub's own logging (not the tests' quieter one): the port is read from its start-up line.
        "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("HUB_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    Process process = spawn(env, args);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits");
    return new Run(process.exitValue(), output);
  }

  private Path conf(String json) throws IOException {
    Path file = dir.resolve("hub.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  @DisplayName("an invalid configuration exits with 2 and one line per problem naming the key")
  void invalidConfigExits2() throws Exception {
    Path file = conf("{\"http\": {\"port\": -5, \"hots\": \"x\"}}");
    Run run = run(Map.of("HUB_BRIDGE_MAX_FRAME_BYTES", "lots"), "--conf", file.toString());
    assertEquals(Main.EXIT_BAD_CONFIG, run.exitCode(), run.output());
    assertTrue(run.output().contains("http.hots: unknown key"), run.output());
    assertTrue(run.output().contains("HUB_BRIDGE_MAX_FRAME_BYTES: must be a whole number"), run.output());
  }

  @Test
  @DisplayName("check-config prints the effective configuration with secrets masked")
  void checkConfig() throws Exception {
    Run run = run(Map.of("HUB_PUBLISH_TOKEN", "secret-secret-secret-1", "HUB_HTTP_PORT", "9999"),
        "--conf", conf("{}").toString(), "check-config");
    assertEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("\"port\" : 9999"), run.output());
    assertTrue(run.output().contains("\"token\" : \"***\""), run.output());
    assertTrue(!run.output().contains("secret-secret-secret-1"), "the token is never printed");
  }

  @Test
  @DisplayName("a port already in use exits with 1 and says so")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Run run = run(Map.of(), "--conf", conf("{\"http\": {\"host\": \"127.0.0.1\", \"port\": "
          + taken.getLocalPort() + "}}").toString());
      assertEquals(Main.EXIT_START_FAILED, run.exitCode(), run.output());
      assertTrue(run.output().contains("could not start"), run.output());
    }
  }

  @Test
  @DisplayName("SIGTERM tells every connected client to reconnect (4000) and the process exits within the drain time")
  void sigtermDrains() throws Exception {
    Process hub = spawn(Map.of(), "--conf", conf("""
        {"http": {"host": "127.0.0.1", "port": 0},
         "auth": {"mode": "anonymous"},
         "bridge": {"permissions": {"subscribe": ["demo.*"]}},
         "shutdown": {"drainSeconds": 10}}""").toString());
    LinkedBlockingQueue<String> lines = follow(hub);
    int port = awaitPort(lines);
    List<BridgeClient> clients = new ArrayList<>();
    for (Transport transport : List.of(Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)) {
      BridgeClient client = transport.connect(port);
      client.register("demo.news");
      client.sync();
      clients.add(client);
    }
    long start = System.nanoTime();
    hub.destroy();
    for (BridgeClient client : clients) {
      assertEquals(CloseCodes.RECONNECT, client.awaitClose().code());
    }
    assertTrue(hub.waitFor(15, TimeUnit.SECONDS), "the hub exits");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertTrue(seconds <= 10, "exit within the drain time, took " + seconds + " s");
    assertEquals(143, hub.exitValue(), "exit status of a SIGTERM'd JVM");
  }

  @Test
  @DisplayName("the shipped configuration starts an embedded MariaDB with a demo session that the demo page's client can use")
  void embeddedDefault() throws Exception {
    Process hub = spawn(Map.of("HUB_HTTP_HOST", "127.0.0.1", "HUB_HTTP_PORT", "0"));
    LinkedBlockingQueue<String> lines = follow(hub);
    int port = awaitPort(lines);
    String page = io.vertx.ext.web.client.WebClient.create(io.eventhub.testing.ClientVertx.get())
        .get(port, "127.0.0.1", "/").send().await().bodyAsString();
    assertTrue(page.contains("/eventbus/client.js"), "the demo page is served");
    io.eventhub.testing.Credentials demo = io.eventhub.testing.Credentials.query("session", io.eventhub.database.Database.DEMO_SESSION_ID);
    try (BridgeClient client = Transport.SOCKJS_WEBSOCKET.connect(port, demo);
         BridgeClient publisher = Transport.RAW_WEBSOCKET.connect(port, demo)) {
      client.register("demo.news");
      client.register("user.1.notes");
      client.sync();
      publisher.send(new io.vertx.core.json.JsonObject().put("type", "publish").put("address", "demo.news").put("body", "hi"));
      assertEquals("hi", client.next().getString("body"), "the demo user publishes and receives on demo.news");
    }
    assertEquals(401, io.eventhub.testing.WebSocketClients.rejection(port, "/eventbus/websocket",
        io.eventhub.testing.Credentials.NONE).getStatus(), "without the session: refused");
    hub.destroy();
    assertTrue(hub.waitFor(30, TimeUnit.SECONDS));
  }

  private static LinkedBlockingQueue<String> follow(Process process) {
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture.runAsync(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        reader.lines().forEach(lines::add);
      } catch (IOException ignored) {
        // the process ended
      }
    });
    return lines;
  }

  private static int awaitPort(LinkedBlockingQueue<String> lines) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        seen.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
    }
    throw new AssertionError("the hub did not report its port:\n" + seen);
  }
}
