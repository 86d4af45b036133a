package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads Apache configuration files the way httpd does at start: line continuations, sections,
 * {@code Define} and {@code ${NAME}}, {@code Include}/{@code IncludeOptional} with wildcards
 * (relative to {@code ServerRoot}), and the conditional sections, decided in file order as httpd
 * decides them ({@code <IfModule>} sees the modules loaded so far). The result is the effective tree.
 */
final class ApacheConfigReader {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_.:-]+)}");
  private static final int MAX_DEPTH = 32;

  /** A line as written: a directive with its unsplit arguments, or a section with its lines. */
  private record Raw(String name, String args, Path file, int line, List<Raw> children) {}

  private final Map<String, String> defines = new HashMap<>();
  private final Map<String, String> environment;
  private final Modules modules;
  private final ApacheVersion version;
  private final List<Finding> problems = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();
  private Path serverRoot;

  ApacheConfigReader(Path serverRoot, Map<String, String> environment, Map<String, String> defines, Modules modules,
                     ApacheVersion version) {
    this.serverRoot = serverRoot;
    this.environment = environment;
    this.defines.putAll(defines);
    this.modules = modules;
    this.version = version;
  }

  /** Reads the files in order, as if one included the next; the effective top-level directives. */
  List<Directive> read(List<Path> roots) {
    List<Directive> out = new ArrayList<>();
    for (Path root : roots) {
      include(root, null, false, out, 0);
    }
    return out;
  }

  List<Finding> problems() {
    return problems;
  }

  /** Every file read, in order. */
  List<Path> files() {
    return files;
  }

  Path serverRoot() {
    return serverRoot;
  }

  private void include(Path file, Raw from, boolean optional, List<Directive> out, int depth) {
    if (depth > MAX_DEPTH) {
      problems.add(problem(from, "Include nests deeper than " + MAX_DEPTH + " files (an Include loop?)", "remove the loop"));
      return;
    }
    List<Raw> lines;
    try {
      lines = parse(file);
    } catch (IOException e) {
      if (!optional) {
        problems.add(problem(from, "cannot read " + file + " (" + e.getMessage() + "); httpd will not start",
            from == null ? "pass an existing file" : "fix the path or use IncludeOptional"));
      }
      return;
    }
    files.add(file);
    evaluate(lines, out, depth);
  }

  private void evaluate(List<Raw> lines, List<Directive> out, int depth) {
    for (Raw raw : lines) {
      String name = raw.name();
      String args = substitute(raw.args());
      List<String> words = split(args);
      if (raw.children() != null && isConditional(name)) {
        if (condition(name, words)) {
          evaluate(raw.children(), out, depth);
        }
        continue;
      }
      if (raw.children() != null) {
        List<Directive> children = new ArrayList<>();
        evaluate(raw.children(), children, depth);
        out.add(new Directive(name, words, raw.file(), raw.line(), children));
        continue;
      }
      switch (name.toLowerCase()) {
        case "define" -> defines.put(words.isEmpty() ? "" : words.get(0), words.size() > 1 ? words.get(1) : "");
        case "undefine" -> defines.remove(words.isEmpty() ? "" : words.get(0));
        case "serverroot" -> serverRoot = Path.of(words.isEmpty() ? "." : words.get(0));
        case "loadmodule" -> modules.load(words.isEmpty() ? "" : words.get(0));
        case "include", "includeoptional" -> {
          boolean optional = name.equalsIgnoreCase("IncludeOptional");
          for (String pattern : words) {
            List<Path> matches = expand(pattern);
            if (matches.isEmpty() && !optional) {
              problems.add(problem(raw, "Include " + pattern + " matches no file; httpd will not start",
                  "fix the path, or use IncludeOptional for a directory that may be empty"));
            }
            for (Path match : matches) {
              include(match, raw, optional, out, depth + 1);
            }
          }
        }
        default -> { }
      }
      out.add(new Directive(name, words, raw.file(), raw.line(), null));
    }
  }

  private static boolean isConditional(String name) {
    return switch (name.toLowerCase()) {
      case "ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection" -> true;
      default -> false;
    };
  }

  private boolean condition(String name, List<String> words) {
    String arg = words.isEmpty() ? "" : words.get(0);
    boolean negated = arg.startsWith("!");
    String subject = negated ? arg.substring(1) : arg;
    return switch (name.toLowerCase()) {
      case "ifmodule" -> modules.test(subject, negated);
      case "ifdefine" -> defines.containsKey(subject) != negated;
      case "iffile" -> Files.exists(resolve(subject)) != negated;
      case "ifversion" -> version.matches(words);
      default -> true; // IfDirective, IfSection: what a stock httpd has
    };
  }

  /** httpd resolves ${NAME} from Define first, then the environment; unknown names stay as written. */
  private String substitute(String text) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    Matcher variable = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (variable.find()) {
      String value = defines.containsKey(variable.group(1)) ? defines.get(variable.group(1)) : environment.get(variable.group(1));
      variable.appendReplacement(out, Matcher.quoteReplacement(value == null ? variable.group() : value));
    }
    variable.appendTail(out);
    return out.toString();
  }

  /** Arguments split at white space; double or single quotes keep spaces, a backslash escapes a quote. */
  static List<String> split(String args) {
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < args.length()) {
      char c = args.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      StringBuilder word = new StringBuilder();
      if (c == '"' || c == '\'') {
        i++;
        while (i < args.length() && args.charAt(i) != c) {
          if (args.charAt(i) == '\\' && i + 1 < args.length() && args.charAt(i + 1) == c) {
            i++;
          }
          word.append(args.charAt(i++));
        }
        i++;
      } else {
        while (i < args.length() && !Character.isWhitespace(args.charAt(i))) {
          word.append(args.charAt(i++));
        }
      }
      words.add(word.toString());
    }
    return words;
  }

  private Path resolve(String path) {
    Path p = Path.of(path);
    return p.isAbsolute() ? p : serverRoot.resolve(p);
  }

  /** Include's argument: a file, a directory (every file in it, recursively) or a wildcard, sorted as httpd sorts. */
  private List<Path> expand(String pattern) {
    Path path = resolve(pattern);
    if (!pattern.matches(".*[*?\\[].*")) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
          return List.of();
        }
      }
      return Files.exists(path) ? List.of(path) : List.of();
    }
    List<Path> current = List.of(path.getRoot() == null ? Path.of("") : path.getRoot());
    for (Path part : path.getRoot() == null ? path : path.getRoot().relativize(path)) {
      List<Path> next = new ArrayList<>();
      String glob = part.toString();
      for (Path dir : current) {
        if (!glob.matches(".*[*?\\[].*")) {
          next.add(dir.resolve(glob));
          continue;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> children = Files.list(dir)) {
          children.filter(child -> matcher.matches(child.getFileName())).sorted().forEach(next::add);
        } catch (IOException e) {
          // a directory that is not there matches nothing
        }
      }
      current = next;
    }
    return current.stream().filter(Files::isRegularFile).toList();
  }

  /** Pure syntax: continuation lines joined, comments dropped, sections nested. */
  private List<Raw> parse(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n", -1);
    List<List<Raw>> stack = new ArrayList<>();
    List<Raw> top = new ArrayList<>();
    stack.add(top);
    List<String> openNames = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      StringBuilder joined = new StringBuilder(lines[i]);
      while (joined.toString().stripTrailing().endsWith("\\") && i + 1 < lines.length) {
        String stripped = joined.toString().stripTrailing();
        joined.setLength(0);
        joined.append(stripped, 0, stripped.length() - 1).append(' ').append(lines[++i]);
      }
      String line = joined.toString().strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("</")) {
        if (stack.size() > 1) {
          stack.remove(stack.size() - 1);
          openNames.remove(openNames.size() - 1);
        }
        continue;
      }
      List<Raw> into = stack.get(stack.size() - 1);
      if (line.startsWith("<")) {
        String inner = line.substring(1, line.endsWith(">") ? line.length() - 1 : line.length()).strip();
        int space = firstSpace(inner);
        List<Raw> children = new ArrayList<>();
        into.add(new Raw(inner.substring(0, space), inner.substring(space).strip(), file, number, children));
        stack.add(children);
        openNames.add(inner.substring(0, space));
        continue;
      }
      int space = firstSpace(line);
      into.add(new Raw(line.substring(0, space), line.substring(space).strip(), file, number, null));
    }
    if (!openNames.isEmpty()) {
      problems.add(new Finding(Severity.ERROR, "apache-syntax", file.toString(), 0,
          "<" + openNames.get(openNames.size() - 1) + "> is never closed; httpd will not start",
          "add </" + openNames.get(openNames.size() - 1) + ">", ""));
    }
    return top;
  }

  private static int firstSpace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return text.length();
  }

  private static Finding problem(Raw at, String message, String fix) {
    return new Finding(Severity.ERROR, "apache-include", at == null ? "" : at.file().toString(), at == null ? 0 : at.line(),
        message, fix, "");
  }
}
