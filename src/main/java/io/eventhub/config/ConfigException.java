package io.eventhub.config;

import java.util.List;

/**
 * The configuration cannot be used; each problem names the key path and why. The warnings found in
 * the same run (unknown {@code HUB_*} variables) come along, so that one run tells everything.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;
  private final List<String> warnings;

  public ConfigException(List<String> problems, List<String> warnings) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  public List<String> problems() {
    return problems;
  }

  public List<String> warnings() {
    return warnings;
  }
}
