package io.eventhub.e2e;

import io.eventhub.testing.ApacheServer;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.tls.TestCertificates;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's story with real PHP, end to end: headless Chromium logs in through a PHP form served by
 * Apache with mod_php (the shipped {@code apache/event-hub.conf}), PHP itself writes the login session
 * into MariaDB, the page's hosted client connects to the hub through the same Apache with nothing but
 * the framework's session cookie, a button's PHP handler publishes through {@code EventHub\Client}
 * (Laravel: {@code broadcast(new OrderShipped(...))}), and logout in PHP revokes the session, upon which
 * the hub closes the page's connection with 4401. Once per session flavour, each with its hub preset:
 * {@code plain} ({@code EventHub\Session\PdoSessionHandler}), {@code laravel} (Laravel 8's database
 * driver), {@code symfony} (Symfony 5.4's {@code PdoSessionHandler}). The application is
 * {@code src/test/php-app}; screenshots land in {@code target/e2e-screenshots}.
 */
class PhpAppThroughApacheTest {
  static final Path APP = Path.of("src", "test", "php-app");
  static final Path LIBRARY = Path.of("src", "main", "php");
  static final Path SCREENSHOTS = Path.of("target", "e2e-screenshots").toAbsolutePath();

  /** A variant of the application: its hub's session settings and the cookie its framework sets. */
  record Variant(String cookie, JsonObject session, String table, String idColumn) {}

  static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

  static {
    VARIANTS.put("plain", new Variant("PHPSESSID", new JsonObject().put("preset", "plain"), "sessions", "id"));
    VARIANTS.put("laravel", new Variant("laravel_session",
        new JsonObject().put("preset", "laravel").put("table", "laravel_sessions"), "laravel_sessions", "id"));
    VARIANTS.put("symfony", new Variant("PHPSESSID",
        new JsonObject().put("preset", "symfony").put("table", "symfony_sessions").put("dataKey", "_sf2_attributes.user_id"),
        "symfony_sessions", "sess_id"));
  }

  static final List<TestHub> hubs = new ArrayList<>();
  static final Map<String, ApacheServer> apaches = new HashMap<>();
  static Map<String, JsonObject> results;

  @BeforeAll
  static void startEverything() throws IOException {
    TestDatabase db = TestDatabase.get();
    // Laravel's users table has remember_token (its logout writes it); the hub's example one does not.
    db.sql("ALTER TABLE users ADD COLUMN IF NOT EXISTS remember_token VARCHAR(100) NULL");
    db.sql("REPLACE INTO users (id, name) VALUES (7, 'ada')");
    Path dir = Files.createTempDirectory("php-app");
    ApacheServer.openForWorkers(dir);
    copyTree(APP, dir);
    // Installed by copy, as the README's "From PHP" describes.
    copyTree(LIBRARY.resolve("src"), dir.resolve("event-hub").resolve("src"));
    Files.copy(LIBRARY.resolve("autoload.php"), dir.resolve("event-hub").resolve("autoload.php"));
    // Laravel writes its package manifest and compiled views; httpd's workers run as www-data.
    for (String writable : List.of("laravel/bootstrap/cache", "laravel/storage/framework/views", "laravel/storage/logs")) {
      Files.setPosixFilePermissions(dir.resolve(writable), PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    String appKey = "base64:" + Base64.getEncoder().encodeToString(randomBytes(32));
    TestCertificates certs = TestCertificates.shared();
    for (Map.Entry<String, Variant> entry : VARIANTS.entrySet()) {
      TestHub hub = TestHub.start(hubConfig(db, entry.getValue()));
      hubs.add(hub);
      Files.writeString(dir.resolve(entry.getKey()).resolve("config.php"), siteConfig(db, hub, appKey));
      apaches.put(entry.getKey(), ApacheServer.startWithPhp(Path.of("apache", "event-hub.conf"), new ApacheServer.Site(
          "localhost", HubProcess.freePort(), HubProcess.freePort(), List.of(hub.port(), hub.port()),
          certs.chain(), certs.leafKey, dir.resolve(entry.getKey()).resolve("public"))));
    }
  }

  static JsonObject hubConfig(TestDatabase db, Variant variant) {
    return new JsonObject()
        .put("http", new JsonObject().put("instances", 1))
        .put("auth", new JsonObject().put("mode", "session").put("cookie", variant.cookie()).put("session", variant.session()))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject().put("permissions", new JsonObject()
            .put("subscribe", List.of("user.{userId}.*")).put("publish", List.of()).put("send", List.of())));
  }

  /** What the application reads as its settings (common/app.php, app_config). */
  static String siteConfig(TestDatabase db, TestHub hub, String appKey) {
    JsonObject database = db.hubConfig();
    return """
        <?php
        return [
            'hubUrl' => %s,
            'token' => %s,
            'dsn' => %s,
            'dbUser' => %s,
            'dbPassword' => %s,
            'appKey' => %s,
        ];
        """.formatted(php(hub.baseUrl()), php(TestHub.TOKEN),
        php("mysql:host=" + database.getString("host") + ";port=" + database.getInteger("port") + ";dbname="
            + database.getString("name") + ";charset=utf8mb4"),
        php(database.getString("user")), php(database.getString("password")), php(appKey));
  }

  static String php(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @AfterAll
  static void stopEverything() {
    apaches.values().forEach(ApacheServer::close);
    hubs.forEach(TestHub::close);
  }

  /** One Chromium run for all three variants (it starts in seconds); each test checks its own. */
  static synchronized Map<String, JsonObject> browser() throws IOException {
    if (results != null) {
      return results;
    }
    Files.createDirectories(SCREENSHOTS);
    List<JsonObject> apps = new ArrayList<>();
    VARIANTS.forEach((name, variant) -> apps.add(new JsonObject().put("variant", name)
        .put("base", apaches.get(name).httpsBase()).put("cookie", variant.cookie())));
    JsonObject config = new JsonObject().put("apps", apps).put("screenshots", SCREENSHOTS.toString());
    Map<String, JsonObject> byVariant = new HashMap<>();
    try (NodeScript node = NodeScript.start("php-app.js", config.encode())) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!byVariant.containsKey("done")) {
        String line = node.next(Duration.ofSeconds(10));
        if (line == null) {
          assertTrue(System.nanoTime() < deadline, "the browser run did not finish: " + node.transcript());
          continue;
        }
        if (line.startsWith("{")) {
          JsonObject result = new JsonObject(line);
          byVariant.put(result.getString("scenario"), result);
        }
      }
      assertFalse(byVariant.get("done").containsKey("error"), () -> "the browser run failed: " + node.transcript());
    }
    results = byVariant;
    return results;
  }

  @ParameterizedTest(name = "{0} sessions")
  @ValueSource(strings = {"plain", "laravel", "symfony"})
  @DisplayName("log in through PHP, receive what PHP publishes over the framework's session cookie, log out and be closed with 4401")
  void story(String name) throws IOException {
    JsonObject result = browser().get(name);
    assertNotNull(result, name + " did not run");
    assertFalse(result.containsKey("error"), () -> name + " failed: " + result.encodePrettily() + "\nApache: "
        + apaches.get(name).log());
    assertEquals("/login", result.getString("loginUrl"), "without a session the application asks for a login");
    assertEquals("open", result.getString("state"), result.encode());
    String prefix = name.equals("laravel") ? "OrderShipped: " : "";
    assertEquals(List.of(prefix + "order 1 shipped", prefix + "order 2 shipped"), result.getJsonArray("events").getList());
    assertTrue(result.getString("fatal").startsWith("4401 "), result.encode());
    assertTrue(result.getString("logoutAnswer").startsWith("200 "), result.encode());
    assertEquals("/login", result.getString("afterLogout"), "the session ended in PHP too");

    String sessionId = result.getString("sessionCookie");
    assertNotNull(sessionId, "no " + VARIANTS.get(name).cookie() + " cookie: " + result.getJsonArray("cookieNames"));
    assertTrue(sessionId.matches("[A-Za-z0-9,-]{16,256}"), name + "'s cookie is the plain session id: " + sessionId);
    assertEquals(0, sessionRows(name, sessionId), "logout deleted the session row");
  }

  /** Rows of that session id left in the variant's table. */
  static int sessionRows(String name, String sessionId) {
    Variant variant = VARIANTS.get(name);
    JsonObject database = TestDatabase.get().hubConfig();
    Pool pool = MySQLBuilder.pool().connectingTo(new MySQLConnectOptions().setHost(database.getString("host"))
        .setPort(database.getInteger("port")).setDatabase(database.getString("name"))
        .setUser(database.getString("user")).setPassword(database.getString("password")))
        .using(io.eventhub.testing.ClientVertx.get()).build();
    try {
      return pool.preparedQuery("SELECT COUNT(*) FROM " + variant.table() + " WHERE " + variant.idColumn() + " = ?")
          .execute(Tuple.of(sessionId)).await().iterator().next().getInteger(0);
    } finally {
      pool.close().await();
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
          ApacheServer.openForWorkers(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
