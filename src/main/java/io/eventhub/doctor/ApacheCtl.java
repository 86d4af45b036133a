package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the installed httpd what it runs: {@code -t -D DUMP_INCLUDES} (the main file, and whether it
 * parses), {@code -M} (the modules), {@code -S} (ServerRoot and Defines), {@code -v} (the version).
 */
final class ApacheCtl {
  /** What httpd said about its configuration. */
  record Facts(Path root, Path serverRoot, List<String> modules, Map<String, String> defines, ApacheVersion version,
               List<Finding> problems) {}

  private static final List<String> CANDIDATES = List.of("apache2ctl", "apachectl", "httpd", "apache2");
  private static final Pattern SYNTAX_ERROR = Pattern.compile("Syntax error on line (\\d+) of ([^:]+):\\s*(.*)", Pattern.DOTALL);
  private static final Pattern SERVER_ROOT = Pattern.compile("^ServerRoot: \"(.*)\"", Pattern.MULTILINE);
  private static final Pattern DEFINE = Pattern.compile("^Define: ([^=\\s]+)(?:=(.*))?$", Pattern.MULTILINE);
  private static final Pattern MODULE = Pattern.compile("^\\s*(\\w+_module) \\((?:static|shared)\\)", Pattern.MULTILINE);
  private static final Pattern ROOT_FILE = Pattern.compile("^\\s*\\(\\*\\) (.+)$", Pattern.MULTILINE);

  private final List<String> command;
  private final int timeoutSeconds;

  private ApacheCtl(List<String> command, int timeoutSeconds) {
    this.command = command;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** The given command (split at spaces), else the first of apache2ctl, apachectl, httpd on the PATH; null if none. */
  static ApacheCtl find(String given, int timeoutSeconds) {
    if (given != null) {
      return new ApacheCtl(List.of(given.trim().split("\\s+")), timeoutSeconds);
    }
    for (String name : CANDIDATES) {
      for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/local/apache2/bin")
          .split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return new ApacheCtl(List.of(Path.of(dir, name).toString()), timeoutSeconds);
        }
      }
    }
    return null;
  }

  String name() {
    return String.join(" ", command);
  }

  Facts inspect() {
    List<Finding> problems = new ArrayList<>();
    String includes = run("-t", "-D", "DUMP_INCLUDES");
    Matcher error = SYNTAX_ERROR.matcher(includes);
    if (error.find()) {
      problems.add(new Finding(Severity.ERROR, "apache-config-invalid", error.group(2).trim(), Integer.parseInt(error.group(1)),
          "httpd refuses the configuration: " + error.group(3).trim().replaceAll("\\s+", " "), "fix this line; "
          + name() + " -t must say Syntax OK", ""));
    }
    Matcher root = ROOT_FILE.matcher(includes);
    String settings = run("-S");
    Matcher serverRoot = SERVER_ROOT.matcher(settings);
    Map<String, String> defines = new LinkedHashMap<>();
    Matcher define = DEFINE.matcher(settings);
    while (define.find()) {
      if (!define.group(1).startsWith("DUMP_")) {
        defines.put(define.group(1), define.group(2) == null ? "" : define.group(2));
      }
    }
    List<String> modules = new ArrayList<>();
    Matcher module = MODULE.matcher(run("-M"));
    while (module.find()) {
      modules.add(module.group(1));
    }
    return new Facts(root.find() ? Path.of(root.group(1).trim()) : null,
        serverRoot.find() ? Path.of(serverRoot.group(1)) : null, modules, defines, version(), problems);
  }

  ApacheVersion version() {
    return ApacheVersion.parse(run("-v").lines().filter(l -> l.contains("version")).findFirst().orElse(""));
  }

  /** httpd's output (both streams); empty when it cannot run or does not finish in time. */
  private String run(String... args) {
    List<String> full = new ArrayList<>(command);
    full.addAll(List.of(args));
    Path output = null;
    try {
      output = Files.createTempFile("apachectl", ".out");
      // Into a file, not a pipe: a hanging httpd cannot hold this thread past the timeout.
      Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }
}
