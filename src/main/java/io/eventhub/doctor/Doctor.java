package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar event-hub.jar doctor}: diagnoses the user's own Apache in front of the hub. Reads
 * the effective Apache configuration (the files given with {@code --apache-config}, or what
 * {@code apache2ctl} reports) and checks it ({@link StaticChecks}); with {@code --url}, tries the path
 * through Apache as a browser does ({@link LiveChecks}). Prints one line per finding, errors first
 * ({@code --json} for scripts); the exit code is 1 when there is an error, 2 for a bad command line.
 */
public final class Doctor {
  public static final int EXIT_ERRORS = 1;
  public static final int EXIT_USAGE = 2;
  public static final String USAGE = DoctorOptions.USAGE;

  private Doctor() {}

  /** Runs the doctor; {@code hubConf} is the hub's configuration file, or null for the defaults. */
  public static int run(List<String> args, Path hubConf, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println("usage: java -jar event-hub.jar [--conf HUB.json] " + USAGE);
      return 0;
    }
    DoctorOptions options;
    try {
      options = DoctorOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("doctor: " + e.getMessage());
      err.println("usage: java -jar event-hub.jar [--conf HUB.json] " + USAGE);
      return EXIT_USAGE;
    }
    Report report = examine(options, hubConf);
    out.print(options.json() ? report.json().encodePrettily() + "\n" : report.text());
    return report.exitCode();
  }

  static Report examine(DoctorOptions options, Path hubConf) {
    List<Finding> findings = new ArrayList<>();
    HubFacts hub = HubFacts.load(hubConf, System.getenv(), findings);
    ApacheSetup setup = readApache(options, findings);
    if (setup != null) {
      findings.addAll(StaticChecks.run(setup, hub, options.expectedSockets()));
      findings.add(new Finding(Severity.NOTE, "read", setup.files().isEmpty() ? "" : setup.files().get(0).toString(), 0,
          "read " + setup.files().size() + " file(s) of Apache " + setup.version() + " configuration, "
              + setup.hosts().size() + " host(s)" + (setup.modules().known() ? "" : "; no LoadModule found, so every "
              + "<IfModule> counts as loaded") + "; hub heartbeat " + hub.heartbeatSeconds() + " s from " + hub.source(),
          "", ""));
    }
    if (options.url() != null) {
      findings.addAll(LiveChecks.run(options, hub));
    }
    return new Report(findings);
  }

  /** The configuration to check: the files given, else the one apache2ctl reports; null if there is none. */
  private static ApacheSetup readApache(DoctorOptions options, List<Finding> findings) {
    Map<String, String> env = System.getenv();
    if (!options.apacheConfigs().isEmpty()) {
      ApacheVersion version = options.version();
      if (!version.known()) {
        ApacheCtl ctl = ApacheCtl.find(options.apachectl(), 20);
        version = ctl == null ? version : ctl.version();
      }
      Path first = options.apacheConfigs().get(0).toAbsolutePath();
      Path serverRoot = options.serverRoot() != null ? options.serverRoot() : first.getParent();
      return ApacheSetup.read(options.apacheConfigs(), serverRoot, env, options.defines(), null, version);
    }
    ApacheCtl ctl = ApacheCtl.find(options.apachectl(), 20);
    if (ctl == null) {
      if (options.url() == null) {
        findings.add(new Finding(Severity.ERROR, "no-apache-config", "", 0, "no Apache configuration to check: "
            + "apache2ctl/apachectl is not on the PATH", "pass the configuration with --apache-config FILE "
            + "(the main httpd.conf or apache2.conf, or the site's file), or --url to check a running site", ""));
      }
      return null;
    }
    ApacheCtl.Facts facts = ctl.inspect();
    findings.addAll(facts.problems());
    if (facts.root() == null) {
      findings.add(new Finding(Severity.ERROR, "no-apache-config", "", 0, ctl.name() + " -t -D DUMP_INCLUDES named no "
          + "configuration file", "run it yourself to see why, or pass --apache-config FILE", ""));
      return null;
    }
    Map<String, String> defines = new LinkedHashMap<>(facts.defines());
    defines.putAll(options.defines());
    Path serverRoot = options.serverRoot() != null ? options.serverRoot()
        : facts.serverRoot() != null ? facts.serverRoot() : facts.root().getParent();
    ApacheVersion version = options.version().known() ? options.version() : facts.version();
    return ApacheSetup.read(List.of(facts.root()), serverRoot, env, defines,
        facts.modules().isEmpty() ? null : facts.modules(), version);
  }
}
