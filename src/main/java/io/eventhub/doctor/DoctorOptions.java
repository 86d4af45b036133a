package io.eventhub.doctor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The doctor's command line. */
record DoctorOptions(List<Path> apacheConfigs, String apachectl, ApacheVersion version, Path serverRoot,
                     Map<String, String> defines, String url, String session, String cookie, String origin, Path ca,
                     boolean insecure, Integer expectedSockets, boolean json, int timeoutSeconds) {

  static final String USAGE = """
      doctor [--apache-config FILE]... [--apachectl CMD] [--apache-version V] [--server-root DIR] [--define NAME[=VALUE]]
             [--url https://site [--session ID] [--cookie NAME] [--origin ORIGIN] [--ca FILE | --insecure] [--timeout S]]
             [--expected-sockets N] [--json]
        Checks the Apache in front of the hub: its configuration (the files given, Includes followed, or what
        apache2ctl -S/-M/-t -D DUMP_INCLUDES shows) and, with --url, the path through it as a browser takes it.
        One line per finding, errors first; exit code 1 when there is an error.""";

  static DoctorOptions parse(List<String> args) {
    List<Path> configs = new ArrayList<>();
    Map<String, String> defines = new LinkedHashMap<>();
    String apachectl = null;
    ApacheVersion version = ApacheVersion.UNKNOWN;
    Path serverRoot = null;
    String url = null;
    String session = null;
    String cookie = null;
    String origin = null;
    Path ca = null;
    boolean insecure = false;
    Integer expected = null;
    boolean json = false;
    int timeout = 5;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--json" -> json = true;
        case "--insecure" -> insecure = true;
        case "--apache-config", "--apachectl", "--apache-version", "--server-root", "--define", "--url", "--session",
             "--cookie", "--origin", "--ca", "--expected-sockets", "--timeout" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String value = args.get(++i);
          switch (arg) {
            case "--apache-config" -> configs.add(Path.of(value));
            case "--apachectl" -> apachectl = value;
            case "--apache-version" -> version = ApacheVersion.parse(value);
            case "--server-root" -> serverRoot = Path.of(value);
            case "--define" -> defines.put(value.split("=", 2)[0], value.contains("=") ? value.split("=", 2)[1] : "");
            case "--url" -> url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            case "--session" -> session = value;
            case "--cookie" -> cookie = value;
            case "--origin" -> origin = value;
            case "--ca" -> ca = Path.of(value);
            case "--expected-sockets" -> expected = positive(arg, value);
            default -> timeout = positive(arg, value);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    if (url != null && !url.matches("(?i)^https?://[^/]+(/.*)?$")) {
      throw new IllegalArgumentException("--url needs an http:// or https:// URL, not " + url);
    }
    return new DoctorOptions(configs, apachectl, version, serverRoot, defines, url, session, cookie, origin, ca, insecure,
        expected, json, timeout);
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " needs a positive number, not " + value);
  }
}
