package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;

import java.util.List;
import java.util.Optional;

/**
 * How many sockets Apache can hold open: a proxied WebSocket or SockJS stream keeps one worker (a
 * thread with event/worker, a process with prefork) for as long as it is open, so MaxRequestWorkers,
 * capped by the MPM's ServerLimit x ThreadsPerChild, bounds the open sockets.
 */
final class WorkerCheck {
  private record Mpm(String name, int serverLimit, int threadsPerChild, int threadLimit, int maxWorkers) {}

  private WorkerCheck() {}

  static void check(ApacheSetup setup, Integer expectedSockets, List<Finding> findings) {
    String mpm = setup.modules().known() ? mpmName(setup) : null;
    List<Directive> loads = setup.all("LoadModule").stream().filter(d -> d.arg(0).startsWith("mpm_")).toList();
    if (mpm == null && !loads.isEmpty()) {
      mpm = loads.get(loads.size() - 1).arg(0).replace("mpm_", "").replace("_module", "");
    }
    if (mpm == null) {
      if (expectedSockets != null) {
        findings.add(new Finding(Severity.NOTE, "workers-unknown", "", 0, "which MPM Apache runs is not in the "
            + "configuration read, so " + expectedSockets + " open sockets cannot be checked against MaxRequestWorkers",
            "run the doctor without --apache-config (it asks apache2ctl -M), or pass the main configuration file", ""));
      }
      return;
    }
    boolean threaded = !mpm.equals("prefork");
    Optional<Directive> maxDirective = last(setup, "MaxRequestWorkers").or(() -> last(setup, "MaxClients"));
    int serverLimit = number(last(setup, "ServerLimit"), threaded ? 16 : 256);
    int threadLimit = number(last(setup, "ThreadLimit"), 64);
    int threads = threaded ? Math.min(number(last(setup, "ThreadsPerChild"), 25), threadLimit) : 1;
    int max = number(maxDirective, threaded ? serverLimit * threads : 256);
    int capacity = Math.min(max, serverLimit * threads);
    Directive at = maxDirective.orElse(loads.isEmpty() ? null : loads.get(loads.size() - 1));
    String limits = "mpm_" + mpm + ": MaxRequestWorkers " + max + ", ServerLimit " + serverLimit
        + (threaded ? " x ThreadsPerChild " + threads : "");
    if (max > serverLimit * threads) {
      findings.add(Finding.at(Severity.WARNING, "workers-capped", at, limits + ": httpd lowers MaxRequestWorkers to "
          + serverLimit * threads + " at start", "raise ServerLimit" + (threaded ? " (or ThreadsPerChild)" : "")
          + " so that it x ThreadsPerChild reaches MaxRequestWorkers"));
    }
    if (!threaded) {
      findings.add(Finding.at(Severity.NOTE, "prefork", at, "mpm_prefork keeps a whole process for each open WebSocket",
          "use mpm_event where mod_php is not needed (PHP-FPM instead)"));
    }
    if (expectedSockets == null) {
      findings.add(Finding.at(Severity.NOTE, "workers", at, limits + ": Apache holds at most " + capacity
          + " open WebSockets and streams at a time, page requests included",
          "pass --expected-sockets N to check it against the sockets you expect"));
      return;
    }
    int wanted = expectedSockets + Math.max(expectedSockets / 10, 25);
    String fix = threaded
        ? "with mpm_" + mpm + ": ThreadsPerChild 64, ServerLimit " + ceil(wanted, 64) + ", MaxRequestWorkers " + ceil(wanted, 64) * 64
        : "switch to mpm_event (a2dismod mpm_prefork; a2enmod mpm_event), prefork holds a process per socket";
    if (capacity < expectedSockets) {
      findings.add(Finding.at(Severity.ERROR, "workers-too-few", at, limits + ": Apache holds at most " + capacity
          + " open sockets, fewer than the " + expectedSockets + " expected: the rest wait, and time out, for a worker", fix));
    } else if (capacity < wanted) {
      findings.add(Finding.at(Severity.WARNING, "workers-too-few", at, limits + ": " + capacity + " workers for "
          + expectedSockets + " expected sockets leaves almost none for page requests", fix));
    } else {
      findings.add(Finding.at(Severity.NOTE, "workers", at, limits + ": room for " + capacity + " open sockets, "
          + expectedSockets + " expected", "nothing to do"));
    }
  }

  private static String mpmName(ApacheSetup setup) {
    for (String mpm : List.of("event", "worker", "prefork")) {
      if (setup.modules().loaded().contains("mpm_" + mpm + "_module")) {
        return mpm;
      }
    }
    return null;
  }

  private static Optional<Directive> last(ApacheSetup setup, String name) {
    List<Directive> found = setup.main(name);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
  }

  private static int number(Optional<Directive> directive, int fallback) {
    try {
      return directive.isPresent() ? Integer.parseInt(directive.get().arg(0)) : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static int ceil(int a, int b) {
    return (a + b - 1) / b;
  }
}
