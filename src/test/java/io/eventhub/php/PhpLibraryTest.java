package io.eventhub.php;

import io.eventhub.delivery.LagReports;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PHP library's own PHPUnit suite ({@code src/main/php/tests}) as part of the build: Debian's
 * {@code phpunit} against a real hub (this JVM, the {@code plain} session preset) and the test
 * database, both named in {@code EVENTHUB_TEST_*} variables. A failing PHP test fails this test;
 * PHPUnit's output is printed either way.
 */
class PhpLibraryTest {
  static final Path LIBRARY = Path.of("src", "main", "php").toAbsolutePath();
  static final Path PHPUNIT = Path.of("/usr/bin/phpunit");
  /** The tests' hook (tests/Support/Hub.php): a published number of milliseconds becomes a reported delivery lag. */
  static final String OVERLOAD_ADDRESS = "test.php.overload";
  /** At least this many tests ran: a suite that silently found nothing must not pass. */
  static final int MIN_TESTS = 40;

  @Test
  @DisplayName("the PHP library's PHPUnit suite passes against a real hub and MariaDB")
  void phpunit() throws IOException, InterruptedException {
    assertTrue(Files.isExecutable(PHPUNIT), PHPUNIT + " is missing: the build installs it (src/test/scripts/install-test-tools.sh)");
    TestDatabase db = TestDatabase.get();
    try (TestHub hub = TestHub.start(hubConfig(db))) {
      hub.vertx().eventBus().<Number>consumer(OVERLOAD_ADDRESS,
          message -> LagReports.behind(hub.hub().bridge().publisher().lag(), message.body().longValue()));
      JsonObject database = db.hubConfig();
      Path junitXml = Path.of("target", "phpunit-junit.xml").toAbsolutePath();
      ProcessBuilder builder = new ProcessBuilder(PHPUNIT.toString(), "--log-junit", junitXml.toString())
          .directory(LIBRARY.toFile()).redirectErrorStream(true);
      builder.environment().putAll(Map.of(
          "EVENTHUB_TEST_URL", hub.baseUrl(),
          "EVENTHUB_TEST_TOKEN", TestHub.TOKEN,
          "EVENTHUB_TEST_DB_DSN", "mysql:host=" + database.getString("host") + ";port=" + database.getInteger("port")
              + ";dbname=" + database.getString("name") + ";charset=utf8mb4",
          "EVENTHUB_TEST_DB_USER", database.getString("user"),
          "EVENTHUB_TEST_DB_PASSWORD", database.getString("password")));
      Process phpunit = builder.start();
      String output = new String(phpunit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(phpunit.waitFor(2, TimeUnit.MINUTES), "phpunit did not finish:\n" + output);
      System.out.println("PHPUnit (src/main/php):\n" + output);
      assertEquals(0, phpunit.exitValue(), "PHPUnit failed:\n" + output);
      Matcher ok = Pattern.compile("OK \\((\\d+) tests?, (\\d+) assertions?\\)").matcher(output);
      assertTrue(ok.find(), "no OK line in PHPUnit's output:\n" + output);
      assertTrue(Integer.parseInt(ok.group(1)) >= MIN_TESTS, "only " + ok.group(1) + " PHP tests ran:\n" + output);
    }
  }

  static JsonObject hubConfig(TestDatabase db) {
    return new JsonObject()
        .put("http", new JsonObject().put("instances", 1))
        .put("auth", new JsonObject().put("mode", "session").put("cookie", "PHPSESSID"))
        .put("database", db.hubConfig())
        .put("bridge", new JsonObject()
            .put("permissions", new JsonObject()
                .put("subscribe", List.of("demo.*", "orders", "user.{userId}.*"))
                .put("publish", List.of())
                .put("send", List.of()))
            // The overload test reports a 2.5 s lag: refused for 2 s, Retry-After: 2.
            .put("maxDeliveryLagMillis", 2000))
        .put("history", new JsonObject().put("streams", new JsonArray()
            .add(new JsonObject().put("pattern", "demo.history").put("size", 3).put("ttlSeconds", 3600))))
        .put("presence", new JsonObject().put("patterns", List.of("demo.presence")).put("graceSeconds", 0));
  }
}
