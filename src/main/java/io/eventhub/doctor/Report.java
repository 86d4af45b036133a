package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings for a person (one line each: severity, code, file:line, what is wrong, the fix; most
 * important first) or as JSON for scripts. The same directive found wrong from several hosts or
 * paths is one finding.
 */
public final class Report {
  private final List<Finding> findings;

  Report(List<Finding> all) {
    Map<String, Finding> unique = new LinkedHashMap<>();
    for (Finding f : all) {
      String key = f.line() > 0 || f.hop().isEmpty() ? f.code() + "|" + f.location() + "|" + (f.line() > 0 ? "" : f.message())
          : f.code() + "|" + f.hop() + "|" + f.message();
      unique.putIfAbsent(key, f);
    }
    List<Finding> sorted = new ArrayList<>(unique.values());
    sorted.sort(Comparator.comparing(Finding::severity)); // stable: within a severity, in the order found
    this.findings = List.copyOf(sorted);
  }

  /** Every finding, most important first. */
  public List<Finding> findings() {
    return findings;
  }

  /** How many findings have this severity. */
  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }

  /** Non-zero when there is an error. */
  public int exitCode() {
    return count(Severity.ERROR) > 0 ? 1 : 0;
  }

  /** For a person: one line per finding ({@code severity file:line [code]: what -- fix: how}), then the counts. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Finding f : findings) {
      out.append(String.format("%-7s %s %s: %s%s", f.severity().label(), f.location(), "[" + f.code() + "]", f.message(),
          f.hop().isEmpty() ? "" : " [hop: " + f.hop() + "]"));
      if (!f.fix().isEmpty() && f.severity() != Severity.OK) {
        out.append(" -- fix: ").append(f.fix());
      }
      out.append('\n');
    }
    out.append(count(Severity.ERROR)).append(" error(s), ").append(count(Severity.WARNING)).append(" warning(s), ")
        .append(count(Severity.NOTE)).append(" note(s)\n");
    return out.toString();
  }

  /** For scripts: {@code {"findings": [...], "errors": n, "warnings": n, "notes": n}}. */
  public JsonObject json() {
    JsonArray list = new JsonArray();
    findings.forEach(f -> list.add(f.toJson()));
    return new JsonObject().put("findings", list).put("errors", count(Severity.ERROR))
        .put("warnings", count(Severity.WARNING)).put("notes", count(Severity.NOTE));
  }
}
