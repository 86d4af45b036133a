package io.eventhub.doctor;

import io.eventhub.testing.ApacheServer;
import io.eventhub.tls.TestCertificates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole httpd configuration around a site file, as {@link ApacheServer} writes it (Debian's modules,
 * loopback ports, the site values of event-hub-defines.conf, the test's certificates), for
 * {@code apache2 -t} and the doctor to read the same files. Adds the PEM files the corpus breaks.
 */
final class ApacheFrame {
  static final Path MODULES = Path.of("/usr/lib/apache2/modules");
  static final List<String> MODULE_NAMES = List.of(
      "mpm_event", "authz_core", "mime", "dir", "alias", "log_config", "unixd", "socache_shmcb", "ssl",
      "rewrite", "headers", "proxy", "proxy_http", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests",
      "proxy_wstunnel");

  private ApacheFrame() {}

  /** Writes {@code dir/httpd.conf}, which includes {@code site}; returns its path. */
  static Path write(Path dir, Path site, List<String> extraModules, List<String> withoutModules) throws IOException {
    TestCertificates certs = TestCertificates.shared();
    List<String> modules = new ArrayList<>(MODULE_NAMES);
    modules.addAll(extraModules);
    modules.removeAll(withoutModules);
    StringBuilder conf = new StringBuilder();
    for (String module : modules) {
      conf.append("<IfModule !").append(module).append("_module>\n  LoadModule ").append(module).append("_module ")
          .append(MODULES.resolve("mod_" + module + ".so")).append("\n</IfModule>\n");
    }
    Path docRoot = Files.createDirectories(dir.resolve("www"));
    conf.append("""
        PidFile %1$s/httpd.pid
        DefaultRuntimeDir %1$s
        ErrorLog %1$s/error.log
        ServerName localhost
        Listen 127.0.0.1:18080
        Listen 127.0.0.1:18443
        """.formatted(dir));
    Map<String, String> defines = new LinkedHashMap<>();
    defines.put("EVENTHUB_SERVER_NAME", "localhost");
    defines.put("EVENTHUB_HTTP_PORT", "18080");
    defines.put("EVENTHUB_HTTPS_PORT", "18443");
    defines.put("EVENTHUB_MEMBER1", "127.0.0.1:18081");
    defines.put("EVENTHUB_MEMBER2", "127.0.0.1:18082");
    defines.put("EVENTHUB_CERT", certs.chain().toString());
    defines.put("EVENTHUB_KEY", certs.leafKey.toString());
    defines.put("EVENTHUB_DOCROOT", docRoot.toString());
    defines.put("DOCTOR_FOUR_DASH_CERT", certs.write("four-dashes.pem",
        certs.read(certs.chain()).replaceFirst("-----BEGIN CERTIFICATE-----", "----BEGIN CERTIFICATE-----")).toString());
    defines.put("DOCTOR_OTHER_KEY", certs.otherKey.toString());
    defines.put("DOCTOR_REVERSED_CHAIN", certs.concat("reversed-chain.pem", certs.caPem, certs.leafPem).toString());
    defines.put("DOCTOR_KEY_PKCS1", traditional(certs, certs.leafKey, "leaf-key-pkcs1.pem").toString());
    defines.put("DOCTOR_OTHER_KEY_PKCS1", traditional(certs, certs.otherKey, "other-key-pkcs1.pem").toString());
    defines.forEach((name, value) -> conf.append("Define ").append(name).append(' ').append(value).append('\n'));
    conf.append("Include ").append(site.toAbsolutePath()).append('\n');
    return Files.writeString(dir.resolve("httpd.conf"), conf.toString());
  }

  /**
   * The key as {@code BEGIN RSA PRIVATE KEY} (PKCS#1), as many Apache setups keep it: the PKCS#8 key's
   * inner OCTET STRING (a 2048-bit key's lengths take the two-byte long form).
   */
  static Path traditional(TestCertificates certs, Path pkcs8Pem, String name) {
    String base64 = certs.read(pkcs8Pem).replaceAll("-----[A-Z ]+-----|\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    int at = 4 + 3 + 15; // SEQUENCE header, version, rsaEncryption AlgorithmIdentifier
    if (der[0] != 0x30 || der[1] != (byte) 0x82 || der[at] != 0x04 || der[at + 1] != (byte) 0x82) {
      throw new IllegalStateException("not a 2048-bit RSA PKCS#8 key: " + pkcs8Pem);
    }
    byte[] pkcs1 = Arrays.copyOfRange(der, at + 4, der.length);
    return certs.write(name, "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1)
        + "\n-----END RSA PRIVATE KEY-----\n");
  }

  /** {@code apache2 -t -f conf}: fails unless Debian's httpd accepts the configuration. */
  static String configTest(Path conf) throws IOException {
    return ApacheServer.configTest(List.of("-f", conf.toString()), null);
  }
}
