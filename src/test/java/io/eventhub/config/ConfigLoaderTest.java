package io.eventhub.config;

import io.eventhub.testing.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

  static List<String> problems(JsonObject json, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> TestHub.load(json, env)).problems();
  }

  @Test
  @DisplayName("the shipped conf/hub.json is valid and keeps the publish API off")
  void shippedConfig() {
    ConfigLoader.Loaded loaded = ConfigLoader.load(Path.of("conf", "hub.json"), Map.of());
    assertEquals(8080, loaded.config().http().port());
    assertTrue(!loaded.config().publish().enabled(), "no default token in the shipped config");
    assertEquals(List.of("demo.*", "user.{userId}.*"), loaded.config().bridge().permissions().subscribe());
    assertTrue(loaded.config().database().embedded(), "a first run needs no database of its own");
    assertEquals(HubConfig.AuthMode.SESSION, loaded.config().auth().mode(), "fails closed by default");
  }

  @ParameterizedTest
  @CsvSource({
      "http.port, HUB_HTTP_PORT",
      "bridge.maxFrameBytes, HUB_BRIDGE_MAX_FRAME_BYTES",
      "bridge.permissions.subscribe, HUB_BRIDGE_PERMISSIONS_SUBSCRIBE",
      "publish.token, HUB_PUBLISH_TOKEN"})
  @DisplayName("environment variable names are HUB_ plus the key path in upper snake case")
  void envNames(String path, String env) {
    assertEquals(env, ConfigLoader.envName(path));
    assertEquals(path, ConfigLoader.envNames(ConfigLoader.defaults()).get(env), "every key has its variable");
  }

  @Test
  @DisplayName("environment variables override the file, typed like the key")
  void envOverrides() {
    HubConfig config = TestHub.load(new JsonObject(), Map.of(
        "HUB_HTTP_PORT", "9191",
        "HUB_BRIDGE_SLOW_CONSUMER_POLICY", "drop",
        "HUB_BRIDGE_PERMISSIONS_SUBSCRIBE", "news.*, user.{userId}.*",
        "HUB_BRIDGE_PERMISSIONS_PUBLISH", "[\"chat.*\"]",
        "HUB_PUBLISH_TOKEN", "a-long-enough-token-123")).config();
    assertEquals(9191, config.http().port());
    assertEquals(HubConfig.SlowConsumerPolicy.DROP, config.bridge().slowConsumerPolicy());
    assertEquals(List.of("news.*", "user.{userId}.*"), config.bridge().permissions().subscribe());
    assertEquals(List.of("chat.*"), config.bridge().permissions().publish());
    assertEquals("a-long-enough-token-123", config.publish().token());
  }

  @Test
  @DisplayName("one run reports every problem of the file and the environment, and warns of unknown HUB_ variables")
  void reportsEveryProblem() {
    ConfigException failure = assertThrows(ConfigException.class, () -> TestHub.load(new JsonObject("""
        {"http": {"port": -1, "prot": 1},
         "tls": {"enabled": true, "certFile": "no-such-dir/cert.pem", "keyFile": "no-such-dir/key.pem"},
         "metrics": "on"}"""), Map.of("HUB_SHUTDOWN_DRAIN_SECONDS", "soon", "HUB_HTTP_PROT", "1")));
    List<String> problems = failure.problems();
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("http.prot: unknown key")), problems.toString());
    assertTrue(problems.contains("http.port: must be a whole number from 0 to 65535, got -1"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("tls: ") && p.contains("no-such-dir/cert.pem")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("metrics: must be an object")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("HUB_SHUTDOWN_DRAIN_SECONDS: must be a whole number")),
        problems.toString());
    assertEquals(1, failure.warnings().size(), failure.warnings().toString());
    assertTrue(failure.warnings().get(0).startsWith("HUB_HTTP_PROT: not a configuration variable"));
  }

  @Test
  @DisplayName("value problems name the key and the allowed range or values")
  void reportsValueProblems() {
    List<String> problems = problems(new JsonObject("""
        {"http": {"port": 70000},
         "bridge": {"slowConsumerPolicy": "explode", "maxFrameBytes": "big",
                    "permissions": {"subscribe": ["ok.*", "bad address!"]}},
         "publish": {"token": "short"}}"""), Map.of());
    assertTrue(problems.contains("http.port: must be a whole number from 0 to 65535, got 70000"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("bridge.slowConsumerPolicy: must be one of")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("bridge.maxFrameBytes: must be a whole number")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("bridge.permissions.subscribe: pattern \"bad address!\"")),
        problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("publish.token: must be at least 16 characters")),
        problems.toString());
    assertEquals(5, problems.size(), problems.toString());
  }

  @Test
  @DisplayName("the hostile-client limits: per user, per address, failed handshakes, send buffer; validated, overridable")
  void clientLimits() {
    HubConfig.Http http = TestHub.load(new JsonObject(), Map.of("HUB_HTTP_MAX_CONNECTIONS_PER_USER", "7",
        "HUB_HTTP_SEND_BUFFER_BYTES", "65536")).config().http();
    assertEquals(7, http.maxConnectionsPerUser());
    assertEquals(1000, http.maxConnectionsPerAddress());
    assertEquals(60, http.maxFailedHandshakesPerMinute());
    assertEquals(65536, http.sendBufferBytes());
    HubConfig defaults = TestHub.load(new JsonObject(), Map.of()).config();
    assertEquals(defaults.bridge().writeQueueMaxBytes(), defaults.http().effectiveSendBufferBytes(defaults.bridge()),
        "by default the kernel holds at most as much for a client as the hub's own write queue");
    List<String> problems = problems(new JsonObject("""
        {"http": {"maxConnectionsPerUser": 0, "sendBufferBytes": 100}}"""), Map.of());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("http.maxConnectionsPerUser: must be a whole number")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("http.sendBufferBytes: must be 0")), problems.toString());
  }

  @Test
  @DisplayName("unknown HUB_ variables are warnings, not errors")
  void unknownEnvIsWarning() {
    ConfigLoader.Loaded loaded = TestHub.load(new JsonObject(), Map.of("HUB_HTTP_PROT", "1", "PATH", "/bin"));
    assertEquals(1, loaded.warnings().size());
    assertTrue(loaded.warnings().get(0).startsWith("HUB_HTTP_PROT: not a configuration variable"));
  }

  @Test
  @DisplayName("the effective configuration masks the publish token")
  void masksSecrets() {
    ConfigLoader.Loaded loaded = TestHub.load(
        new JsonObject().put("publish", new JsonObject().put("token", "a-long-enough-token-123")), Map.of());
    assertEquals("***", loaded.effective().getJsonObject("publish").getString("token"));
    assertEquals("a-long-enough-token-123", loaded.config().publish().token());
  }

  @Test
  @DisplayName("a missing or broken file is a problem naming the file")
  void missingOrBrokenFile() {
    ConfigException missing = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(Path.of("no-such-dir", "hub.json"), Map.of()));
    assertTrue(missing.problems().get(0).contains("no-such-dir"), missing.problems().toString());
  }

  @Test
  @DisplayName("trusted proxies are addresses or ranges (IPv4 and IPv6); anything else is a problem naming the entry")
  void trustedProxyRanges() {
    TrustedProxies proxies = TestHub.load(new JsonObject().put("http", new JsonObject()
        .put("trustedProxies", List.of("127.0.0.1", "10.0.0.0/8", "172.16.0.0/12", "fd00::/8"))), Map.of())
        .config().http().trustedProxies();
    assertTrue(proxies.contains("127.0.0.1"));
    assertTrue(proxies.contains("10.244.3.17"), "a pod address in 10.0.0.0/8");
    assertTrue(proxies.contains("172.31.255.1"));
    assertTrue(!proxies.contains("172.32.0.1"), "outside 172.16.0.0/12");
    assertTrue(!proxies.contains("127.0.0.2"), "an address is not a range");
    assertTrue(proxies.contains("fd12:3456::1"));
    assertTrue(!proxies.contains("2001:db8::1"));
    assertTrue(!proxies.contains("localhost"), "names are never looked up");
    List<String> problems = problems(new JsonObject().put("http", new JsonObject()
        .put("trustedProxies", List.of("10.0.0.0/33", "apache.internal", "10.0.0.1"))), Map.of());
    assertEquals(List.of(
        "http.trustedProxies[0]: \"10.0.0.0/33\" has a prefix length outside 0 to 32",
        "http.trustedProxies[1]: \"apache.internal\" is not an IP address or range like 10.0.0.0/8"), problems);
  }

  @Test
  @DisplayName("the delivery knobs: the I/O transport one of three, also from the environment; a most flush interval under the least is the least")
  void deliveryKnobs() {
    List<String> problems = problems(new JsonObject()
        .put("bridge", new JsonObject().put("flushIntervalMillis", 30).put("maxFlushIntervalMillis", 20))
        .put("http", new JsonObject().put("transport", "kqueue")), Map.of());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("http.transport: must be one of [epoll, io_uring, nio]")), problems.toString());
    HubConfig config = TestHub.load(new JsonObject(), Map.of("HUB_HTTP_TRANSPORT", "io_uring",
        "HUB_BRIDGE_MAX_FLUSH_INTERVAL_MILLIS", "40")).config();
    assertEquals(HubConfig.IoTransport.IO_URING, config.http().transport());
    assertEquals(40, config.bridge().maxFlushIntervalMillis());
    assertEquals(10, config.bridge().flushIntervalMillis());
    // Only the least set (an older configuration): no adapting, and no complaint about a key not set.
    assertTrue(problems(new JsonObject().put("bridge", new JsonObject().put("flushIntervalMillis", 300))
        .put("http", new JsonObject().put("transport", "kqueue")), Map.of()).stream()
        .noneMatch(p -> p.startsWith("bridge.")));
  }

  @Test
  @DisplayName("presence: off by default; patterns, bound and grace from the file or HUB_PRESENCE_*; bad values named by key")
  void presence() {
    HubConfig.Presence defaults = TestHub.load(new JsonObject(), Map.of()).config().presence();
    assertTrue(!defaults.enabled(), "no address is tracked unless configured");
    assertEquals(5, defaults.graceSeconds());
    HubConfig.Presence fromEnv = TestHub.load(new JsonObject(), Map.of(
        "HUB_PRESENCE_PATTERNS", "room.*, ticket.{userId}.view",
        "HUB_PRESENCE_MAX_USERS", "50",
        "HUB_PRESENCE_GRACE_SECONDS", "0")).config().presence();
    assertEquals(new HubConfig.Presence(List.of("room.*", "ticket.{userId}.view"), 50, 0), fromEnv);
    List<String> problems = problems(new JsonObject().put("presence", new JsonObject()
        .put("patterns", List.of("room.*", "$presence:room")).put("maxUsers", -1).put("graceSeconds", 86_400)), Map.of());
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("presence.patterns: pattern \"$presence:room\" may hold only"), problems.toString());
    assertTrue(problems.get(1).startsWith("presence.maxUsers: "), problems.toString());
    assertTrue(problems.get(2).startsWith("presence.graceSeconds: "), problems.toString());
  }
}
