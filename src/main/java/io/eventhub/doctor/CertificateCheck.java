package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.tls.PemCheck;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's PEM preflight ({@link PemCheck}) on every certificate, key and chain file the
 * configuration loads, where {@code apache2 -t} only checks that they exist and httpd's own message at
 * start is an opaque OpenSSL error: marker lines (the dash count), base64, the order of the chain
 * (across the certificate and chain files too), the key against the certificate, expiry.
 */
final class CertificateCheck {
  private static final Pattern LOCATED = Pattern.compile("^(.+?):(\\d+): (.*)$", Pattern.DOTALL);
  private static final Duration EXPIRING = Duration.ofDays(14);

  private record Files(Directive cert, Directive key, Directive chain) {}

  private CertificateCheck() {}

  static void check(ApacheSetup setup, List<Finding> findings) {
    Set<Files> seen = new LinkedHashSet<>();
    for (Host host : setup.hosts()) {
      List<Directive> certs = host.effective("SSLCertificateFile").isPresent() ? pick(host, "SSLCertificateFile") : List.of();
      List<Directive> keys = pick(host, "SSLCertificateKeyFile");
      Directive chain = host.effective("SSLCertificateChainFile").orElse(null);
      for (int i = 0; i < certs.size(); i++) {
        seen.add(new Files(certs.get(i), i < keys.size() ? keys.get(i) : null, chain));
      }
    }
    Set<String> reported = new LinkedHashSet<>();
    for (Files files : seen) {
      check(files, findings, reported);
    }
  }

  /** A host's own directives of a kind, else the main server's (RSA and ECDSA pairs come in order). */
  private static List<Directive> pick(Host host, String name) {
    List<Directive> own = host.own(name);
    if (!own.isEmpty() || host.section() == null) {
      return own;
    }
    return host.inherited(name);
  }

  private static void check(Files files, List<Finding> findings, Set<String> reported) {
    PemCheck.Result cert = read(files.cert(), findings, reported);
    PemCheck.Result key = files.key() == null ? null : read(files.key(), findings, reported);
    PemCheck.Result chain = files.chain() == null ? null : read(files.chain(), findings, reported);
    List<String> problems = new ArrayList<>();
    PemCheck.Result keyResult = traditionalRsa(key != null ? key : cert);
    if (keyResult.key() != null && !cert.certificates().isEmpty()) {
      PemCheck.matchKey(keyResult, cert, problems);
    }
    for (String problem : problems) {
      add(findings, reported, problem, files.key() != null ? files.key() : files.cert());
    }
    if (chain != null && !cert.certificates().isEmpty() && !chain.certificates().isEmpty()) {
      X509Certificate last = cert.certificates().get(cert.certificates().size() - 1);
      X509Certificate next = chain.certificates().get(0);
      if (!last.getIssuerX500Principal().equals(next.getSubjectX500Principal())) {
        add(findings, reported, chain.file() + ":1: the chain file does not start with the issuer of "
            + last.getSubjectX500Principal().getName() + " (it starts with " + next.getSubjectX500Principal().getName()
            + "); put the issuer of the server certificate first, then its issuers", files.chain());
      }
    }
    for (PemCheck.Result result : new PemCheck.Result[] {cert, chain}) {
      if (result == null) {
        continue;
      }
      for (X509Certificate certificate : result.certificates()) {
        Duration left = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
        if (!left.isNegative() && left.compareTo(EXPIRING) < 0 && reported.add(result.file() + "#" + certificate.getSerialNumber())) {
          findings.add(new Finding(Severity.WARNING, "certificate-expiring", result.file().toString(), 0,
              "certificate " + certificate.getSubjectX500Principal().getName() + " expires in " + left.toDays()
                  + " day(s), on " + certificate.getNotAfter().toInstant() + " (loaded by " + files.cert().where() + ")",
              "renew it and reload Apache", ""));
        }
      }
    }
  }

  /**
   * Apache reads {@code BEGIN RSA PRIVATE KEY} (PKCS#1), which the hub's preflight does not parse: wrapped
   * in PKCS#8 it is the same key, so it can still be matched against the certificate.
   */
  private static PemCheck.Result traditionalRsa(PemCheck.Result result) {
    if (result.key() != null) {
      return result;
    }
    for (PemCheck.Block block : result.blocks()) {
      if (block.label().equals("RSA PRIVATE KEY")) {
        byte[] rsaEncryption = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] pkcs8 = der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, rsaEncryption, der(0x04, block.der())));
        try {
          PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
          return new PemCheck.Result(result.file(), result.blocks(), result.certificates(), key, result.problems());
        } catch (GeneralSecurityException e) {
          return result; // not a key after all: the preflight said what is wrong with the block
        }
      }
    }
    return result;
  }

  /** A DER element: tag, length (short or long form), content. */
  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] length = n < 0x80 ? new byte[] {(byte) n}
        : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
        : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
        : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    return concat(new byte[] {(byte) tag}, length, content);
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static PemCheck.Result read(Directive directive, List<Finding> findings, Set<String> reported) {
    PemCheck.Result result = PemCheck.check(Path.of(directive.arg(0)));
    for (String problem : result.problems()) {
      // Apache reads the traditional key formats the hub does not; for Apache they are fine.
      if (problem.contains("old OpenSSL-specific format")) {
        continue;
      }
      if (problem.contains("the key is encrypted")) {
        add(findings, reported, Severity.WARNING, "certificate-key-encrypted", result.file()
            + ": the key is encrypted: httpd asks for its pass phrase at every start (SSLPassPhraseDialog); "
            + "decrypt it with openssl pkey -in " + result.file().getFileName() + " -out key.pem", directive);
        continue;
      }
      add(findings, reported, problem, directive);
    }
    return result;
  }

  private static void add(List<Finding> findings, Set<String> reported, String problem, Directive loadedBy) {
    add(findings, reported, Severity.ERROR, "certificate", problem, loadedBy);
  }

  /** A preflight problem ("file:line: what; fix") as a finding at the PEM file's line. */
  private static void add(List<Finding> findings, Set<String> reported, Severity severity, String code, String problem,
                          Directive loadedBy) {
    if (!reported.add(problem)) {
      return;
    }
    Matcher located = LOCATED.matcher(problem);
    String file = loadedBy.arg(0);
    int line = 0;
    String text = problem.startsWith(file + ": ") ? problem.substring(file.length() + 2) : problem;
    if (located.matches() && located.group(1).equals(file)) {
      line = Integer.parseInt(located.group(2));
      text = located.group(3);
    }
    int semicolon = text.lastIndexOf("; ");
    String message = semicolon > 0 ? text.substring(0, semicolon) : text;
    String fix = semicolon > 0 ? text.substring(semicolon + 2) : "replace the file with a good copy";
    findings.add(new Finding(severity, code, file, line, message + " (" + loadedBy.name() + " at " + loadedBy.where() + ")",
        fix, ""));
  }
}
