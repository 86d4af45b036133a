package io.eventhub.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The check run before any PEM file is used: by the hub at start (when it terminates TLS itself)
 * and by {@code java -jar event-hub.jar check-cert FILE...} for the files Apache is about to load.
 */
public final class TlsPreflight {
  /** Per-file results, and every problem across them (key/certificate mismatches included). */
  public record Report(List<PemCheck.Result> results, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private TlsPreflight() {}

  public static Report check(List<Path> files) {
    List<PemCheck.Result> results = files.stream().map(PemCheck::check).toList();
    List<String> problems = new ArrayList<>();
    results.forEach(r -> problems.addAll(r.problems()));
    List<PemCheck.Result> keys = results.stream().filter(r -> r.key() != null).toList();
    List<PemCheck.Result> certs = results.stream().filter(r -> !r.certificates().isEmpty()).toList();
    for (PemCheck.Result key : keys) {
      if (certs.size() == 1) {
        PemCheck.matchKey(key, certs.get(0), problems);
      }
    }
    return new Report(results, problems);
  }

  /** One line on what a good file holds. */
  public static String describe(PemCheck.Result result) {
    List<String> parts = new ArrayList<>();
    for (X509Certificate certificate : result.certificates()) {
      parts.add("certificate " + certificate.getSubjectX500Principal().getName() + " valid until "
          + certificate.getNotAfter().toInstant());
    }
    if (result.key() != null) {
      parts.add(result.key().getAlgorithm() + " private key");
    }
    return result.file() + ": OK (" + String.join("; ", parts) + ")";
  }
}
