package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.testing.ApacheServer;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.tls.TestCertificates;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static io.eventhub.doctor.Findings.codes;
import static io.eventhub.doctor.Findings.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live checks against a real Apache (Debian's apache2 with the shipped {@code apache/event-hub.conf},
 * TLS, two balancer members) in front of two real hubs that check login sessions in MariaDB: once as
 * shipped, and with the configuration broken the ways users break it.
 */
class DoctorLiveTest {
  static final String SESSION = "doctor-session-0123456789abcdef";
  static final Path SHIPPED = Path.of("apache", "event-hub.conf");
  static final List<TestHub> hubs = new ArrayList<>();
  static Path dir;

  @BeforeAll
  static void startHubs() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(ApacheServer.BINARY), "Debian's apache2 is not installed");
    TestDatabase db = TestDatabase.get();
    db.session(SESSION, 7L, null, 3600);
    for (int i = 0; i < 2; i++) {
      hubs.add(TestHub.start(hubConfig(db)));
    }
    dir = Files.createTempDirectory("doctor-live");
    ApacheServer.openForWorkers(dir);
  }

  static JsonObject hubConfig(TestDatabase db) {
    return new JsonObject()
        .put("http", new JsonObject().put("instances", 1))
        // A heartbeat a second: Apache notices a stream the doctor left at once, and stops in a second, not 12.
        .put("bridge", new JsonObject().put("heartbeatMillis", 1000))
        .put("auth", new JsonObject().put("mode", "session"))
        .put("database", db.hubConfig());
  }

  @AfterAll
  static void stopHubs() {
    hubs.forEach(TestHub::close);
  }

  @Test
  @DisplayName("as shipped: info, both WebSocket upgrades with the session cookie and Origin, unbuffered and sticky xhr-streaming")
  void healthy() throws IOException {
    try (ApacheServer apache = apache(SHIPPED)) {
      Report report = doctor(apache, "--session", SESSION);
      assertEquals(Set.of(), codes(report, Severity.ERROR, Severity.WARNING), report.text());
      assertEquals(Set.of("live-info", "live-websocket", "live-sockjs-websocket", "live-streaming", "live-sticky"),
          codes(report, Severity.OK), report.text());

      Report unknown = doctor(apache, "--session", "doctor-unknown-0123456789abcdef");
      Finding refused = only(unknown, "live-session-refused");
      assertEquals(LiveChecks.HUB, refused.hop());
      assertTrue(refused.message().contains("401"), refused.toString());
    }
  }

  @Test
  @DisplayName("upgrade missing (and not sticky): the doctor says Apache drops the Upgrade header and spreads the session")
  void upgradeMissing() throws IOException {
    Path broken = variant("no-upgrade.conf", conf -> conf.replace(" upgrade=websocket", "")
        .replace("ProxySet stickysession=EVENTHUB_ROUTE ", "ProxySet "));
    try (ApacheServer apache = apache(broken)) {
      Report report = doctor(apache, "--session", SESSION);
      assertEquals(Set.of("websocket-not-upgraded", "no-stickiness", "live-websocket-not-upgraded", "live-not-sticky"),
          codes(report, Severity.ERROR, Severity.WARNING), report.text());
      assertEquals(2, report.findings().stream().filter(f -> f.code().equals("live-websocket-not-upgraded")).count(),
          "the raw endpoint and SockJS's websocket transport: " + report.text());
      report.findings().stream().filter(f -> f.severity() == Severity.ERROR && f.code().startsWith("live-"))
          .forEach(f -> assertEquals(LiveChecks.APACHE_HUB, f.hop(), f.toString()));
      assertEquals(1, report.exitCode());
    }
  }

  @Test
  @DisplayName("a buffering output filter: no streamed bytes within the timeout")
  void buffered() throws IOException {
    Path broken = variant("buffering.conf", conf -> """
        <IfModule !ext_filter_module>
            LoadModule ext_filter_module /usr/lib/apache2/modules/mod_ext_filter.so
        </IfModule>
        ExtFilterDefine tidy mode=output cmd=/bin/cat
        """ + conf.replace("ProxyPreserveHost On", "ProxyPreserveHost On\n    SetOutputFilter tidy"));
    // A hub of its own, closed before Apache: the buffered stream holds an httpd worker (and the filter's
    // command) until the hub ends it, and httpd's stop would wait 12 s for it.
    TestHub own = TestHub.start(hubConfig(TestDatabase.get()));
    try (ApacheServer apache = apache(broken, List.of(own.port(), own.port()))) {
      long start = System.nanoTime();
      Report report = doctor(apache, "--session", SESSION, "--timeout", "2");
      own.close();
      assertEquals(Set.of("buffering-filter", "live-streaming-buffered"), codes(report, Severity.ERROR, Severity.WARNING),
          report.text());
      assertEquals(LiveChecks.APACHE_HUB, only(report, "live-streaming-buffered").hop());
      assertTrue(System.nanoTime() - start < 15_000_000_000L, "bounded by the timeout");
    } finally {
      own.close();
    }
  }

  @Test
  @DisplayName("ProxyPreserveHost Off: the hub refuses the Origin the browser sends")
  void originRefused() throws IOException {
    Path broken = variant("no-preserve-host.conf", conf -> conf.replace("ProxyPreserveHost On", "ProxyPreserveHost Off"));
    try (ApacheServer apache = apache(broken)) {
      Report report = doctor(apache, "--session", SESSION);
      assertEquals(Set.of("proxy-preserve-host", "live-origin-refused"), codes(report, Severity.ERROR, Severity.WARNING),
          report.text());
      Finding refused = only(report, "live-origin-refused");
      assertTrue(refused.message().contains("Origin " + apache.httpsBase()) && refused.hop().equals(LiveChecks.HUB),
          refused.toString());
      assertTrue(codes(report, Severity.NOTE).contains("live-streaming-untested"), report.text());
    }
  }

  private static Report doctor(ApacheServer apache, String... more) {
    List<String> args = new ArrayList<>(List.of("--apache-config", apache.conf().toString(), "--url", apache.httpsBase(),
        "--ca", TestCertificates.shared().caPem.toString()));
    args.addAll(List.of(more));
    return Doctor.examine(DoctorOptions.parse(args), null);
  }

  private static ApacheServer apache(Path conf) throws IOException {
    return apache(conf, List.of(hubs.get(0).port(), hubs.get(1).port()));
  }

  private static ApacheServer apache(Path conf, List<Integer> hubPorts) throws IOException {
    TestCertificates certs = TestCertificates.shared();
    Path docRoot = Files.createDirectories(dir.resolve("www"));
    return ApacheServer.start(conf, new ApacheServer.Site("localhost", HubProcess.freePort(), HubProcess.freePort(),
        hubPorts, certs.chain(), certs.leafKey, docRoot));
  }

  private static Path variant(String name, UnaryOperator<String> change) throws IOException {
    String shipped = Files.readString(SHIPPED);
    String changed = change.apply(shipped);
    assertTrue(!changed.equals(shipped), "the variant changes the shipped file");
    return Files.writeString(dir.resolve(name), changed);
  }
}
