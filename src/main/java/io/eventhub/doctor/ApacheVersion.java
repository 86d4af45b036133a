package io.eventhub.doctor;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** httpd's version as {@code apache2 -v} prints it, or unknown; unknown passes every {@code <IfVersion>}. */
record ApacheVersion(int major, int minor, int patch) {
  static final ApacheVersion UNKNOWN = new ApacheVersion(0, 0, 0);
  /** The first release whose mod_proxy_http tunnels WebSockets ({@code upgrade=websocket}). */
  static final ApacheVersion UPGRADE_PARAMETER = new ApacheVersion(2, 4, 47);
  private static final Pattern NUMBERS = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  /** From {@code 2.4.58} or {@code Server version: Apache/2.4.58 (Debian)}; unknown if neither. */
  static ApacheVersion parse(String text) {
    Matcher m = NUMBERS.matcher(text == null ? "" : text);
    if (!m.find()) {
      return UNKNOWN;
    }
    return new ApacheVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  boolean known() {
    return major > 0;
  }

  int compareTo(ApacheVersion other) {
    return major != other.major ? Integer.compare(major, other.major)
        : minor != other.minor ? Integer.compare(minor, other.minor) : Integer.compare(patch, other.patch);
  }

  boolean atLeast(ApacheVersion other) {
    return !known() || compareTo(other) >= 0;
  }

  /** {@code <IfVersion [op] version>}; regular-expression forms and an unknown version count as true. */
  boolean matches(List<String> words) {
    if (!known() || words.isEmpty()) {
      return true;
    }
    String op = words.size() > 1 ? words.get(0) : "=";
    String operand = words.get(words.size() - 1);
    boolean negated = op.startsWith("!");
    op = negated ? op.substring(1) : op;
    if (op.equals("~") || operand.startsWith("/")) {
      return true;
    }
    int c = compareTo(parse(operand));
    boolean result = switch (op) {
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      default -> c == 0;
    };
    return result != negated;
  }

  @Override
  public String toString() {
    return known() ? major + "." + minor + "." + patch : "unknown";
  }
}
