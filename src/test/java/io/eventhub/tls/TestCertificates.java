package io.eventhub.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Real certificates for the tests, made with the JDK's keytool: a CA, a server certificate it
 * signed, an expired and a not-yet-valid certificate, and unrelated key. Keys are written as PKCS#8 PEM.
 */
public final class TestCertificates {
  private static final String PASS = "changeit";
  public final Path dir;
  public final Path caPem;
  public final Path leafPem;
  public final Path leafKey;
  public final Path otherKey;
  public final Path expiredPem;
  public final Path futurePem;

  private static TestCertificates shared;

  /** One set per test JVM: keytool takes seconds, and the tests only read these files. */
  public static synchronized TestCertificates shared() {
    if (shared == null) {
      try {
        shared = new TestCertificates(Files.createTempDirectory("certs"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  private TestCertificates(Path dir) {
    this.dir = dir;
    Path store = dir.resolve("store.p12");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Event Hub Test CA",
        "-ext", "bc:c", "-validity", "30", "-keystore", store.toString());
    keytool("-genkeypair", "-alias", "leaf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
        "-validity", "30", "-keystore", store.toString());
    keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=other",
        "-validity", "30", "-keystore", store.toString());
    keytool("-genkeypair", "-alias", "old", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=old",
        "-startdate", "-400d", "-validity", "10", "-keystore", store.toString());
    keytool("-genkeypair", "-alias", "future", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=future",
        "-startdate", "+30d", "-validity", "10", "-keystore", store.toString());
    Path csr = dir.resolve("leaf.csr");
    keytool("-certreq", "-alias", "leaf", "-file", csr.toString(), "-keystore", store.toString());
    leafPem = dir.resolve("leaf.pem");
    keytool("-gencert", "-alias", "ca", "-infile", csr.toString(), "-outfile", leafPem.toString(), "-rfc",
        "-validity", "30", "-ext", "san=dns:localhost,ip:127.0.0.1", "-keystore", store.toString());
    lf(leafPem);
    caPem = export(store, "ca");
    expiredPem = export(store, "old");
    futurePem = export(store, "future");
    leafKey = privateKey(store, "leaf");
    otherKey = privateKey(store, "other");
  }

  /** {@code leaf.pem} followed by its issuer: what Apache's SSLCertificateFile and the hub expect. */
  public Path chain() {
    return concat("chain.pem", leafPem, caPem);
  }

  public Path concat(String name, Path... files) {
    try {
      StringBuilder text = new StringBuilder();
      for (Path file : files) {
        text.append(Files.readString(file).replace("\r\n", "\n"));
        if (text.charAt(text.length() - 1) != '\n') {
          text.append('\n');
        }
      }
      return write(name, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path write(String name, String content) {
    try {
      return Files.writeString(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path writeBytes(String name, byte[] content) {
    try {
      return Files.write(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String read(Path file) {
    try {
      return Files.readString(file).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path export(Path store, String alias) {
    Path pem = dir.resolve(alias + ".pem");
    keytool("-exportcert", "-alias", alias, "-rfc", "-file", pem.toString(), "-keystore", store.toString());
    return lf(pem);
  }

  /** keytool writes -rfc output with CRLF; the fixtures start clean, the tests add what they break. */
  private Path lf(Path file) {
    return write(file.getFileName().toString(), read(file));
  }

  private Path privateKey(Path store, String alias) {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(in, PASS.toCharArray());
      PrivateKey key = (PrivateKey) keyStore.getKey(alias, PASS.toCharArray());
      String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
      return write(alias + "-key.pem", "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void keytool(String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storepass", PASS, "-keypass", PASS, "-storetype", "PKCS12", "-noprompt"));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
