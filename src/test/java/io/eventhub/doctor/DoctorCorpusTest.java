package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.testing.ApacheServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.eventhub.doctor.Findings.codes;
import static io.eventhub.doctor.Findings.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A corpus of broken Apache setups, one per pitfall ({@code src/test/resources/doctor/corpus}): each
 * file is a user's site as they write it, with a header naming the errors and warnings the doctor
 * must report, and no others. Debian's apache2 reads each first ({@code apache2 -t}: the pitfalls are
 * all ones httpd accepts), then the doctor. The configurations shipped in {@code apache/} pass.
 */
class DoctorCorpusTest {
  static final Path CORPUS = Path.of("src/test/resources/doctor/corpus");
  static String apacheVersion;

  @TempDir
  Path dir;

  @BeforeAll
  static void apacheInstalled() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(ApacheServer.BINARY), "Debian's apache2 is not installed");
    apacheVersion = ApacheVersion.parse(new String(new ProcessBuilder(ApacheServer.BINARY.toString(), "-v")
        .redirectErrorStream(true).start().getInputStream().readAllBytes(), StandardCharsets.UTF_8)).toString();
  }

  static List<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(f -> f.toString().endsWith(".conf")).sorted().toList();
    }
  }

  /** A corpus file's header: {@code # key: values}. */
  static List<String> header(Path file, String key) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> l.startsWith("# " + key + ":"))
        .flatMap(l -> Arrays.stream(l.substring(key.length() + 3).trim().split("\\s+"))).filter(s -> !s.isEmpty()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("each pitfall of the corpus passes apache2 -t and the doctor names it, and nothing else")
  void namesThePitfall(Path site) throws IOException {
    Path conf = ApacheFrame.write(dir, site, header(site, "modules"), header(site, "without"));
    assertTrue(ApacheFrame.configTest(conf).contains("Syntax OK"));
    List<String> args = new ArrayList<>(List.of("--apache-config", conf.toString(), "--apache-version", apacheVersion));
    args.addAll(header(site, "args"));
    Report report = Doctor.examine(DoctorOptions.parse(args), null);

    assertEquals(new TreeSet<>(header(site, "expect")), codes(report, Severity.ERROR, Severity.WARNING), report.text());
    assertTrue(codes(report, Severity.NOTE).containsAll(header(site, "notes")), report.text());
    for (Finding finding : report.findings()) {
      assertTrue(!finding.file().isEmpty() && !finding.fix().isEmpty() || finding.severity() == Severity.NOTE,
          "a finding without a place or a fix: " + finding);
    }
  }

  @Test
  @DisplayName("reads as httpd does: Include wildcards, IncludeOptional, Define, IfDefine, IfVersion, continued lines")
  void readsLikeHttpd() throws IOException {
    Path confD = Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(confD.resolve("10-balancer.conf"), """
        <Proxy "${HUB_BALANCER}">
            BalancerMember "http://${EVENTHUB_MEMBER1}" route=hub1 \\
                           upgrade=websocket
            BalancerMember "http://${EVENTHUB_MEMBER2}" route=hub2 upgrade=websocket
        </Proxy>
        """);
    Files.writeString(confD.resolve("20-site.conf"), """
        <VirtualHost *:${EVENTHUB_HTTPS_PORT}>
            ServerName ${EVENTHUB_SERVER_NAME}
            SSLEngine             on
            SSLCertificateFile    "${EVENTHUB_CERT}"
            SSLCertificateKeyFile '${EVENTHUB_KEY}'
            ProxyPreserveHost On
            RequestHeader set X-Forwarded-Proto "https"
            ProxyPass "/eventbus" "${HUB_BALANCER}/eventbus"
        </VirtualHost>
        """);
    Files.writeString(confD.resolve("README"), "not a .conf file: the wildcard leaves it out\n");
    Path site = Files.writeString(dir.resolve("site.conf"), """
        Define HUB_BALANCER balancer://eventhub
        <IfDefine !DOCTOR_NOT_DEFINED>
            IncludeOptional %1$s/missing/*.conf
            Include %1$s/conf.d/*.conf
        </IfDefine>
        <IfVersion < 2.4.0>
            Timeout 5
        </IfVersion>
        """.formatted(dir));
    Path conf = ApacheFrame.write(dir, site, List.of(), List.of());
    assertTrue(ApacheFrame.configTest(conf).contains("Syntax OK"));
    Report report = Doctor.examine(options(conf), null);
    assertEquals(Set.of("no-stickiness"), codes(report, Severity.ERROR, Severity.WARNING), report.text());
    assertEquals(confD.resolve("10-balancer.conf") + ":1", only(report, "no-stickiness").location());
  }

  @Test
  @DisplayName("the four-dash certificate is named at its first line, with the dash count and the fix")
  void fourDashes() throws IOException {
    Path conf = ApacheFrame.write(dir, CORPUS.resolve("four-dash-certificate.conf"), List.of(), List.of());
    Finding finding = only(Doctor.examine(options(conf), null), "certificate");
    assertTrue(finding.file().endsWith("four-dashes.pem") && finding.line() == 1, finding.toString());
    assertTrue(finding.message().contains("4 dashes before") && finding.fix().contains("-----BEGIN CERTIFICATE-----"),
        finding.toString());
  }

  @Test
  @DisplayName("the seed's rewrite rules: the finding points at the ProxyPass line and says how to tunnel upgrades")
  void seedRulesPointAtTheLine() throws IOException {
    Path site = CORPUS.resolve("seed-socketio-rewrite.conf");
    Path conf = ApacheFrame.write(dir, site, List.of(), List.of());
    Finding finding = only(Doctor.examine(options(conf), null), "websocket-not-upgraded");
    int line = Files.readAllLines(site).indexOf("    ProxyPass        /eventbus http://${EVENTHUB_MEMBER1}/eventbus") + 1;
    assertEquals(site.toAbsolutePath() + ":" + line, finding.location());
    assertTrue(finding.message().contains("SockJS's websocket transport") && finding.fix().contains("%{HTTP:Upgrade}"),
        finding.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shipped")
  @DisplayName("the configurations shipped in apache/ pass with no error and no warning")
  void shippedConfigurationsPass(String file) throws IOException {
    Path conf = ApacheFrame.write(dir, Path.of("apache", file), List.of(), List.of());
    assertTrue(ApacheFrame.configTest(conf).contains("Syntax OK"));
    Report report = Doctor.examine(options(conf), null);
    assertEquals(Set.of(), codes(report, Severity.ERROR, Severity.WARNING), report.text());
    assertTrue(codes(report, Severity.NOTE).contains("workers"), report.text());
  }

  static List<String> shipped() {
    return List.of("event-hub.conf", "event-hub-legacy.conf");
  }

  @Test
  @DisplayName("without --apache-config it asks apache2ctl (-t -D DUMP_INCLUDES, -M, -S, -v) and checks what httpd loads")
  void asksApachectl() throws IOException {
    Path conf = ApacheFrame.write(dir, CORPUS.resolve("no-stickiness.conf"), List.of(), List.of());
    Path ctl = dir.resolve("apache2ctl");
    Files.writeString(ctl, "#!/bin/sh\nexec " + ApacheServer.BINARY + " -f " + conf + " \"$@\"\n");
    Files.setPosixFilePermissions(ctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    Report report = Doctor.examine(DoctorOptions.parse(List.of("--apachectl", ctl.toString())), null);
    assertEquals(Set.of("no-stickiness"), codes(report, Severity.ERROR, Severity.WARNING), report.text());
    Finding read = only(report, "read");
    assertTrue(read.message().contains("Apache " + apacheVersion) && read.file().equals(conf.toString()), read.toString());
  }

  @Test
  @DisplayName("apache2ctl's syntax error is a finding at its line")
  void syntaxError() throws IOException {
    Path site = Files.writeString(dir.resolve("site.conf"), "Timeout 60\nNoSuchDirective on\n");
    Path conf = ApacheFrame.write(dir, site, List.of(), List.of());
    Path ctl = dir.resolve("apache2ctl");
    Files.writeString(ctl, "#!/bin/sh\nexec " + ApacheServer.BINARY + " -f " + conf + " \"$@\"\n");
    Files.setPosixFilePermissions(ctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    Finding invalid = only(Doctor.examine(DoctorOptions.parse(List.of("--apachectl", ctl.toString())), null),
        "apache-config-invalid");
    assertEquals(site.toString() + ":2", invalid.location(), invalid.toString());
  }

  @Test
  @DisplayName("text: one line per finding, errors first, with file:line and fix; --json for scripts; exit 1 on an error")
  void output() throws IOException {
    Path conf = ApacheFrame.write(dir, CORPUS.resolve("seed-socketio-rewrite.conf"), List.of(), List.of());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int exit = Doctor.run(List.of("--apache-config", conf.toString()), null, new PrintStream(text, true), System.err);
    assertEquals(1, exit);
    List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
    assertTrue(lines.get(0).startsWith("error ") && lines.get(0).contains(" -- fix: "), lines.get(0));
    assertTrue(lines.get(lines.size() - 1).startsWith("2 error(s), 1 warning(s)"), lines.toString());
    List<String> severities = lines.subList(0, lines.size() - 1).stream().map(l -> l.split(" ")[0]).toList();
    assertEquals(severities.stream().sorted((a, b) -> rank(a) - rank(b)).toList(), severities, "most important first");

    ByteArrayOutputStream json = new ByteArrayOutputStream();
    Doctor.run(List.of("--apache-config", conf.toString(), "--json"), null, new PrintStream(json, true), System.err);
    JsonObject parsed = new JsonObject(json.toString(StandardCharsets.UTF_8));
    assertEquals(2, parsed.getInteger("errors"));
    assertEquals("websocket-not-upgraded", parsed.getJsonArray("findings").stream().map(JsonObject.class::cast)
        .filter(f -> f.getString("code").startsWith("websocket")).findFirst().orElseThrow().getString("code"));

    assertEquals(2, Doctor.run(List.of("--no-such-option"), null, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream())));
  }

  private static int rank(String severity) {
    return Severity.valueOf(severity.toUpperCase()).ordinal();
  }

  private static DoctorOptions options(Path conf) {
    return DoctorOptions.parse(List.of("--apache-config", conf.toString(), "--apache-version", apacheVersion));
  }
}
