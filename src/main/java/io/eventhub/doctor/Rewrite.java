package io.eventhub.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * mod_rewrite's server-context rules applied to one request, as httpd applies them before ProxyPass:
 * the conditions ({@code RewriteCond}, with {@code [OR]} and {@code [NC]}), the rule's pattern against
 * the URL path, the substitution with {@code $N}, {@code %N} and {@code %{VAR}}, and the flags that
 * decide what happens next ({@code P}, {@code L}, {@code END}, {@code PT}, {@code R}, {@code F},
 * {@code G}, {@code C}, {@code S}).
 */
final class Rewrite {
  /** What the rules did: proxied, sent elsewhere or refused, or passed on (with a possibly new path). */
  record Outcome(Routing.Kind kind, String target, String path, Directive rule) {}

  private static final Set<String> RULES = Set.of("rewritecond", "rewriterule");
  private static final Pattern REFERENCE = Pattern.compile("\\$(\\d)|%(\\d)|%\\{([^}]+)}");

  private Rewrite() {}

  /** Applies the host's rules to the request, skipping {@code skip} (to see what a rule hides). */
  static Outcome apply(Host host, Routing.Request request, Set<Directive> skip) {
    List<Directive> rules = rules(host);
    String path = request.path();
    List<Directive> conditions = new ArrayList<>();
    boolean skipChain = false;
    int skipNext = 0;
    for (Directive d : rules) {
      if (d.is("RewriteCond")) {
        conditions.add(d);
        continue;
      }
      List<Directive> conds = conditions;
      conditions = new ArrayList<>();
      if (skipNext > 0) {
        skipNext--;
        continue;
      }
      Set<String> flags = flags(d.arg(2));
      if (skipChain) {
        skipChain = flags.contains("C");
        continue;
      }
      if (skip.contains(d)) {
        continue;
      }
      String patternText = d.arg(0);
      boolean negated = patternText.startsWith("!");
      Matcher rule = compile(negated ? patternText.substring(1) : patternText, flags.contains("NC")).matcher(path);
      boolean matched = rule.find() != negated;
      String[] ruleGroups = matched && !negated ? groups(rule) : new String[0];
      String[] condGroups = new String[0];
      if (matched) {
        Match conditionMatch = conditions(conds, request, path, ruleGroups);
        matched = conditionMatch != null;
        condGroups = matched ? conditionMatch.groups : condGroups;
      }
      if (!matched) {
        skipChain = flags.contains("C");
        continue;
      }
      String substitution = d.arg(1);
      String result = substitution.equals("-") ? path : expand(substitution, ruleGroups, condGroups, request, path);
      if (flags.contains("F")) {
        return new Outcome(Routing.Kind.REFUSED, null, path, d);
      }
      if (flags.contains("G")) {
        return new Outcome(Routing.Kind.REFUSED, null, path, d);
      }
      if (flags.contains("P")) {
        return new Outcome(Routing.Kind.PROXY, result, path, d);
      }
      if (flags.contains("R") || result.matches("(?i)^[a-z][a-z0-9+.-]*://.*")) {
        return new Outcome(Routing.Kind.REDIRECT, result, path, d);
      }
      boolean changed = !result.equals(path);
      path = result;
      for (String flag : flags) {
        if (flag.startsWith("S=")) {
          skipNext = parseInt(flag.substring(2));
        }
      }
      if (flags.contains("L") || flags.contains("END")) {
        return changed && !flags.contains("PT") ? new Outcome(Routing.Kind.LOCAL, null, path, d)
            : new Outcome(null, null, path, null);
      }
    }
    return new Outcome(null, null, path, null);
  }

  /** The host's rules when its engine is on, with the main server's when it inherits them. */
  private static List<Directive> rules(Host host) {
    boolean on = host.effective("RewriteEngine").map(d -> d.value().equals("on")).orElse(false);
    if (!on) {
      return List.of();
    }
    List<Directive> own = host.ownOf(RULES);
    if (host.section() == null) {
      return own;
    }
    String options = host.own("RewriteOptions").stream().map(d -> String.join(" ", d.args()).toLowerCase(Locale.ROOT))
        .reduce("", String::concat);
    List<Directive> all = new ArrayList<>();
    if (options.contains("inheritbefore")) {
      all.addAll(host.mainOf(RULES));
      all.addAll(own);
    } else if (options.contains("inherit")) {
      all.addAll(own);
      all.addAll(host.mainOf(RULES));
    } else {
      all.addAll(own);
    }
    return all;
  }

  private record Match(String[] groups) {}

  /** Conditions joined by AND, a condition with [OR] joined with the next; null if they fail. */
  private static Match conditions(List<Directive> conds, Routing.Request request, String path, String[] ruleGroups) {
    String[] last = new String[0];
    boolean groupResult = false;
    boolean inOr = false;
    for (int i = 0; i < conds.size(); i++) {
      Directive c = conds.get(i);
      Set<String> flags = flags(c.arg(2));
      String value = expand(c.arg(0), ruleGroups, last, request, path);
      String[] groups = test(c.arg(1), value, flags.contains("NC"));
      boolean ok = groups != null;
      if (ok && groups.length > 0) {
        last = groups;
      }
      groupResult = inOr ? groupResult || ok : ok;
      inOr = flags.contains("OR") || flags.contains("ORNEXT");
      if (!inOr && !groupResult) {
        return null;
      }
    }
    return inOr && !groupResult ? null : new Match(last);
  }

  /** A CondPattern against a value: the groups if it holds (empty for non-regex tests), else null. */
  private static String[] test(String pattern, String value, boolean nocase) {
    boolean negated = pattern.startsWith("!");
    String p = negated ? pattern.substring(1) : pattern;
    boolean ok;
    String[] groups = new String[0];
    if (p.startsWith("=") || p.startsWith("<") || p.startsWith(">")) {
      String op = p.startsWith("<=") || p.startsWith(">=") ? p.substring(0, 2) : p.substring(0, 1);
      String operand = p.substring(op.length());
      if (op.equals("=") && operand.equals("\"\"")) {
        operand = "";
      }
      int c = nocase ? value.compareToIgnoreCase(operand) : value.compareTo(operand);
      ok = switch (op) {
        case "=" -> c == 0;
        case "<" -> c < 0;
        case ">" -> c > 0;
        case "<=" -> c <= 0;
        default -> c >= 0;
      };
    } else if (p.matches("-[a-zA-Z]+")) {
      ok = false; // file tests: a proxied path is no file
    } else {
      Matcher m = compile(p, nocase).matcher(value);
      ok = m.find();
      if (ok && !negated) {
        groups = groups(m);
      }
    }
    return ok != negated ? groups : null;
  }

  private static String expand(String text, String[] ruleGroups, String[] condGroups, Routing.Request request, String path) {
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value;
      if (m.group(1) != null) {
        value = group(ruleGroups, parseInt(m.group(1)));
      } else if (m.group(2) != null) {
        value = group(condGroups, parseInt(m.group(2)));
      } else {
        value = variable(m.group(3), request, path);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The server variables a rule about /eventbus looks at; any other is empty. */
  private static String variable(String name, Routing.Request request, String path) {
    String n = name.toUpperCase(Locale.ROOT);
    return switch (n) {
      case "REQUEST_URI", "REQUEST_FILENAME", "SCRIPT_FILENAME" -> path;
      case "HTTP:UPGRADE", "HTTP_UPGRADE" -> request.upgrade() ? "websocket" : "";
      case "HTTP:CONNECTION", "HTTP_CONNECTION" -> request.upgrade() ? "Upgrade" : "keep-alive";
      case "REQUEST_METHOD" -> request.method();
      case "THE_REQUEST" -> request.method() + " " + path + " HTTP/1.1";
      case "HTTPS" -> request.tls() ? "on" : "off";
      case "REQUEST_SCHEME" -> request.tls() ? "https" : "http";
      case "SERVER_NAME", "HTTP_HOST", "HTTP:HOST" -> request.host();
      default -> "";
    };
  }

  private static String[] groups(Matcher m) {
    String[] groups = new String[m.groupCount() + 1];
    for (int i = 0; i <= m.groupCount(); i++) {
      groups[i] = m.group(i) == null ? "" : m.group(i);
    }
    return groups;
  }

  private static String group(String[] groups, int index) {
    return index < groups.length ? groups[index] : "";
  }

  static Pattern compile(String regex, boolean nocase) {
    try {
      return Pattern.compile(regex, nocase ? Pattern.CASE_INSENSITIVE : 0);
    } catch (PatternSyntaxException e) {
      return Pattern.compile(Pattern.quote(regex));
    }
  }

  /** {@code [P,L,NC]} as upper-case flags; {@code S=2} keeps its value. */
  static Set<String> flags(String text) {
    if (!text.startsWith("[")) {
      return Set.of();
    }
    Set<String> flags = new java.util.HashSet<>();
    for (String flag : text.substring(1, text.endsWith("]") ? text.length() - 1 : text.length()).split(",")) {
      String f = flag.trim().toUpperCase(Locale.ROOT);
      flags.add(switch (f) {
        case "PROXY" -> "P";
        case "LAST" -> "L";
        case "NOCASE" -> "NC";
        case "PASSTHROUGH" -> "PT";
        case "FORBIDDEN" -> "F";
        case "GONE" -> "G";
        case "CHAIN" -> "C";
        default -> f.startsWith("R=") || f.startsWith("REDIRECT") ? "R" : f.startsWith("SKIP=") ? "S=" + f.substring(5) : f;
      });
    }
    return flags;
  }

  private static int parseInt(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
