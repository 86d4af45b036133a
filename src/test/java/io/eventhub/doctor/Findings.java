package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the doctor tests ask of a report. */
final class Findings {
  private Findings() {}

  /** The codes of the findings of the given severities, sorted. */
  static Set<String> codes(Report report, Severity... severities) {
    Set<Severity> wanted = Set.of(severities);
    return report.findings().stream().filter(f -> wanted.contains(f.severity())).map(Finding::code)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The one finding with {@code code}; fails when there is none or more than one. */
  static Finding only(Report report, String code) {
    List<Finding> found = report.findings().stream().filter(f -> f.code().equals(code)).toList();
    assertEquals(1, found.size(), () -> code + " once in:\n" + report.text());
    return found.get(0);
  }
}
