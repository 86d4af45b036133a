package io.eventhub.tls;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every broken-PEM case, on real certificates, and the message each one gets. */
class PemCheckTest {
  static final TestCertificates certs = TestCertificates.shared();

  static String only(Path file) {
    List<String> problems = PemCheck.check(file).problems();
    assertEquals(1, problems.size(), problems.toString());
    return problems.get(0);
  }

  static void assertMentions(String problem, String... parts) {
    for (String part : parts) {
      assertTrue(problem.contains(part), "\"" + part + "\" missing from: " + problem);
    }
  }

  @Test
  @DisplayName("good files pass: a chain in order with its key, a single certificate, a key")
  void goodFiles() {
    TlsPreflight.Report report = TlsPreflight.check(List.of(certs.chain(), certs.leafKey));
    assertTrue(report.ok(), report.problems().toString());
    assertEquals(2, report.results().get(0).certificates().size());
    assertTrue(TlsPreflight.describe(report.results().get(0)).contains("CN=localhost"));
  }

  @Test
  @DisplayName("four dashes (the classic ----BEGIN CERTIFICATE-----): the line, the count and the fix")
  void fourDashes() {
    Path broken = certs.write("four-dashes.pem", certs.read(certs.leafPem).replaceFirst("-----BEGIN", "----BEGIN"));
    assertMentions(only(broken), "four-dashes.pem:1:", "4 dashes before and 5 after", "-----BEGIN CERTIFICATE-----");
  }

  @Test
  @DisplayName("six dashes in an END line")
  void sixDashesAtEnd() {
    String text = certs.read(certs.leafPem).replace("-----END CERTIFICATE-----", "-----END CERTIFICATE------");
    assertMentions(only(certs.write("six.pem", text)), "5 dashes before and 6 after", "-----END CERTIFICATE-----");
  }

  @Test
  @DisplayName("mismatched and missing markers")
  void markers() {
    String text = certs.read(certs.leafPem);
    assertMentions(only(certs.write("mismatch.pem", text.replace("END CERTIFICATE", "END PRIVATE KEY"))),
        "END PRIVATE KEY closes BEGIN CERTIFICATE of line 1");
    assertMentions(only(certs.write("no-end.pem", text.replace("-----END CERTIFICATE-----", ""))),
        "no-end.pem:1:", "has no END line", "-----END CERTIFICATE-----");
    assertMentions(only(certs.write("empty.pem", "hello\n")), "text before the first -----BEGIN");
  }

  @Test
  @DisplayName("Windows line endings and a byte-order mark")
  void crlfAndBom() {
    String text = certs.read(certs.leafPem);
    assertMentions(only(certs.write("crlf.pem", text.replace("\n", "\r\n"))), "crlf.pem:1:", "CRLF", "dos2unix");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = text.getBytes(StandardCharsets.US_ASCII);
    byte[] withBom = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, withBom, 0, 3);
    System.arraycopy(body, 0, withBom, 3, body.length);
    assertMentions(only(certs.writeBytes("bom.pem", withBom)), "bom.pem:1:", "byte-order mark");
  }

  @Test
  @DisplayName("text before the first marker")
  void textBefore() {
    String text = "Subject: CN=localhost\nIssuer: CN=CA\n" + certs.read(certs.leafPem);
    assertMentions(only(certs.write("text.pem", text)), "text.pem:1:", "text before the first -----BEGIN", "remove");
  }

  @Test
  @DisplayName("bad base64: the line and column of the first bad character")
  void badBase64() {
    String[] lines = certs.read(certs.leafPem).split("\n");
    lines[3] = lines[3].substring(0, 10) + "!" + lines[3].substring(11);
    assertMentions(only(certs.write("bad64.pem", String.join("\n", lines) + "\n")),
        "bad64.pem:4:", "not base64", "'!'", "column 11");
  }

  @Test
  @DisplayName("a cut line makes the base64 undecodable or the certificate invalid, and is reported")
  void cutLine() {
    String[] lines = certs.read(certs.leafPem).split("\n");
    lines[5] = lines[5].substring(0, 30);
    List<String> problems = PemCheck.check(certs.write("cut.pem", String.join("\n", lines) + "\n")).problems();
    assertEquals(1, problems.size(), problems.toString());
    assertMentions(problems.get(0), "cut.pem:1:");
  }

  @Test
  @DisplayName("expired and not-yet-valid certificates")
  void validity() {
    assertMentions(only(certs.expiredPem), "CN=old", "expired on", "renew");
    assertMentions(only(certs.futurePem), "CN=future", "is not valid before");
  }

  @Test
  @DisplayName("a chain in the wrong order: the issuer before the server certificate")
  void chainOrder() {
    Path reversed = certs.concat("reversed.pem", certs.caPem, certs.leafPem);
    assertMentions(only(reversed), "chain out of order", "CN=localhost", "put the server certificate first");
  }

  @Test
  @DisplayName("a key that does not belong to the certificate")
  void keyMismatch() {
    TlsPreflight.Report report = TlsPreflight.check(List.of(certs.chain(), certs.otherKey));
    assertEquals(1, report.problems().size(), report.problems().toString());
    assertMentions(report.problems().get(0), "other-key.pem", "does not belong to the certificate", "CN=localhost");
  }

  @Test
  @DisplayName("old-format and encrypted keys get the openssl command that converts them")
  void keyFormats() {
    String rsa = certs.read(certs.leafKey).replace("PRIVATE KEY", "RSA PRIVATE KEY");
    assertMentions(only(certs.write("pkcs1.pem", rsa)), "openssl pkcs8 -topk8 -nocrypt");
    String encrypted = certs.read(certs.leafKey).replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
    assertMentions(only(certs.write("encrypted.pem", encrypted)), "encrypted", "-nocrypt");
  }
}
