package io.eventhub.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files the way a careful human would and says exactly what is wrong, with the file, the
 * line and the fix: dashes in BEGIN/END lines (the classic {@code ----BEGIN CERTIFICATE-----}),
 * unmatched markers, a byte-order mark or Windows line endings, text before the first marker, broken
 * base64, certificates out of date or out of order, a key that does not belong to the certificate.
 * Apache's own message for most of these is an opaque OpenSSL error at start-up.
 */
public final class PemCheck {
  /** One PEM block: its label (CERTIFICATE, PRIVATE KEY, ...), the line it starts on, its bytes. */
  public record Block(String label, int line, byte[] der) {}

  /** What a file holds and what is wrong with it; no problems means it can be used. */
  public record Result(Path file, List<Block> blocks, List<X509Certificate> certificates, PrivateKey key,
                       List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private static final Pattern MARKER = Pattern.compile("^(-*)\\s*(BEGIN|END)\\s+([A-Z0-9 ]+?)\\s*(-*)$");
  private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

  private PemCheck() {}

  public static Result check(Path file) {
    List<String> problems = new ArrayList<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      problems.add(file + ": cannot read: " + e.getMessage());
      return new Result(file, List.of(), List.of(), null, problems);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      problems.add(file + ":1: the file starts with a byte-order mark (BOM); save it as plain UTF-8/ASCII without BOM");
      text = text.substring(1);
    }
    String[] lines = text.split("\n", -1);
    List<Block> blocks = blocks(file, lines, problems);
    List<X509Certificate> certificates = new ArrayList<>();
    PrivateKey key = null;
    for (Block block : blocks) {
      switch (block.label()) {
        case "CERTIFICATE" -> certificate(file, block, problems, certificates);
        case "PRIVATE KEY" -> key = privateKey(file, block, problems);
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> problems.add(file + ":" + block.line() + ": " + block.label()
            + " is the old OpenSSL-specific format; the hub reads PKCS#8: convert with "
            + "openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem");
        case "ENCRYPTED PRIVATE KEY" -> problems.add(file + ":" + block.line()
            + ": the key is encrypted; the hub needs it unencrypted: openssl pkcs8 -topk8 -nocrypt -in "
            + file.getFileName() + " -out key.pem (and protect the file with its permissions)");
        default -> problems.add(file + ":" + block.line() + ": unexpected block \"" + block.label()
            + "\"; expected CERTIFICATE or PRIVATE KEY");
      }
    }
    if (blocks.isEmpty() && problems.isEmpty()) {
      problems.add(file + ": no PEM block found; expected -----BEGIN CERTIFICATE----- or -----BEGIN PRIVATE KEY-----");
    }
    chainOrder(file, blocks, certificates, problems);
    return new Result(file, blocks, certificates, key, problems);
  }

  /** Checks that the key belongs to the first (server) certificate; adds a problem if not. */
  public static void matchKey(Result keyFile, Result certFile, List<String> problems) {
    if (keyFile.key() == null || certFile.certificates().isEmpty()) {
      return;
    }
    X509Certificate leaf = certFile.certificates().get(0);
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      String algorithm = keyFile.key().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + keyFile.key().getAlgorithm();
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(keyFile.key());
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a different key type cannot match either
    }
    problems.add(keyFile.file() + ": this private key does not belong to the certificate in " + certFile.file()
        + " (" + leaf.getSubjectX500Principal().getName() + "); use the key the certificate was issued for");
  }

  private static List<Block> blocks(Path file, String[] lines, List<String> problems) {
    List<Block> blocks = new ArrayList<>();
    String openLabel = null;
    int openLine = 0;
    StringBuilder body = new StringBuilder();
    boolean bodyOk = true;
    boolean sawMarker = false;
    boolean reportedCrlf = false;
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      String line = lines[i];
      if (line.endsWith("\r")) {
        if (!reportedCrlf) {
          problems.add(file + ":" + number + ": Windows line endings (CRLF); convert the file with dos2unix "
              + file.getFileName() + " (or save it with LF line endings)");
          reportedCrlf = true;
        }
        line = line.substring(0, line.length() - 1);
      }
      Matcher marker = MARKER.matcher(line.trim());
      if (marker.matches() && (line.contains("BEGIN") || line.contains("END")) && line.contains("-")) {
        sawMarker = true;
        String kind = marker.group(2);
        String label = marker.group(3);
        checkDashes(file, number, marker.group(1).length(), marker.group(4).length(), kind, label, problems);
        if (kind.equals("BEGIN")) {
          if (openLabel != null) {
            problems.add(file + ":" + number + ": BEGIN " + label + " inside the block BEGIN " + openLabel
                + " of line " + openLine + ", which has no END line; add -----END " + openLabel + "----- before it");
          }
          openLabel = label;
          openLine = number;
          body.setLength(0);
          bodyOk = true;
        } else if (openLabel == null) {
          problems.add(file + ":" + number + ": END " + label + " without a BEGIN line before it");
        } else {
          if (!label.equals(openLabel)) {
            problems.add(file + ":" + number + ": END " + label + " closes BEGIN " + openLabel + " of line "
                + openLine + "; the labels must match");
          }
          if (bodyOk) {
            try {
              blocks.add(new Block(openLabel, openLine, Base64.getDecoder().decode(body.toString())));
            } catch (IllegalArgumentException e) {
              problems.add(file + ":" + openLine + ": the base64 of this block does not decode (" + e.getMessage()
                  + "); a line is missing or was cut");
            }
          }
          openLabel = null;
        }
      } else if (openLabel != null) {
        String content = line.trim();
        if (!content.isEmpty() && !BASE64_LINE.matcher(content).matches()) {
          int column = firstNonBase64(content);
          problems.add(file + ":" + number + ": not base64 (character '" + content.charAt(column) + "' at column "
              + (column + 1) + "); the block was edited or pasted wrongly, copy it again from the source");
          bodyOk = false;
        }
        body.append(content);
      } else if (!line.isBlank() && !sawMarker) {
        problems.add(file + ":" + number + ": text before the first -----BEGIN line (\"" + abbreviate(line)
            + "\"); remove everything above -----BEGIN");
        sawMarker = true; // one report is enough
      }
    }
    if (openLabel != null) {
      problems.add(file + ":" + openLine + ": BEGIN " + openLabel + " has no END line; add -----END " + openLabel + "-----");
    }
    return blocks;
  }

  private static void checkDashes(Path file, int line, int before, int after, String kind, String label,
                                  List<String> problems) {
    if (before != 5 || after != 5) {
      problems.add(file + ":" + line + ": " + kind + " line has " + before + " dashes before and " + after
          + " after; PEM needs exactly 5 on each side: -----" + kind + " " + label + "-----");
    }
  }

  private static void certificate(Path file, Block block, List<String> problems, List<X509Certificate> certificates) {
    X509Certificate certificate;
    try {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(block.der()));
    } catch (GeneralSecurityException e) {
      problems.add(file + ":" + block.line() + ": the CERTIFICATE block is not a valid X.509 certificate ("
          + e.getMessage() + ")");
      return;
    }
    certificates.add(certificate);
    String subject = certificate.getSubjectX500Principal().getName();
    try {
      certificate.checkValidity(new Date());
    } catch (CertificateExpiredException e) {
      problems.add(file + ":" + block.line() + ": certificate " + subject + " expired on " + certificate.getNotAfter().toInstant()
          + "; renew it");
    } catch (CertificateNotYetValidException e) {
      problems.add(file + ":" + block.line() + ": certificate " + subject + " is not valid before "
          + certificate.getNotBefore().toInstant() + "; check the clock or use the current certificate");
    }
  }

  private static PrivateKey privateKey(Path file, Block block, List<String> problems) {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
      } catch (GeneralSecurityException ignored) {
        // try the next algorithm
      }
    }
    problems.add(file + ":" + block.line() + ": the PRIVATE KEY block is not an RSA, EC or Ed25519 PKCS#8 key");
    return null;
  }

  /** The server certificate comes first, then each issuer: certificate i must be issued by i + 1. */
  private static void chainOrder(Path file, List<Block> blocks, List<X509Certificate> certificates, List<String> problems) {
    List<Block> certBlocks = blocks.stream().filter(b -> b.label().equals("CERTIFICATE")).toList();
    if (certificates.size() != certBlocks.size()) {
      return; // a broken certificate was reported already
    }
    for (int i = 0; i + 1 < certificates.size(); i++) {
      X509Certificate current = certificates.get(i);
      X509Certificate next = certificates.get(i + 1);
      if (!current.getIssuerX500Principal().equals(next.getSubjectX500Principal())) {
        boolean reversed = next.getIssuerX500Principal().equals(current.getSubjectX500Principal());
        problems.add(file + ":" + certBlocks.get(i + 1).line() + ": chain out of order: certificate "
            + (i + 2) + " (" + next.getSubjectX500Principal().getName() + ") "
            + (reversed ? "was issued by certificate " + (i + 1) + " (" + current.getSubjectX500Principal().getName()
                + "); put the server certificate first, then its issuers"
                : "did not issue certificate " + (i + 1) + "; each certificate must be followed by its issuer"));
      }
    }
  }

  private static int firstNonBase64(String content) {
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '+' && c != '/' && c != '=') {
        return i;
      }
    }
    return Math.max(0, content.indexOf('=') + 1);
  }

  private static String abbreviate(String line) {
    return line.length() > 40 ? line.substring(0, 40) + "..." : line;
  }
}
