package io.eventhub.doctor;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The modules httpd has loaded: those compiled in, those {@code apache2ctl -M} lists, and each
 * {@code LoadModule} as it is read. When nothing says which are loaded (a lone vhost file), every
 * module is assumed present, so that the checks read what the {@code <IfModule>} sections hold.
 */
final class Modules {
  /** Debian's and the httpd image's compiled-in modules. */
  static final List<String> COMPILED_IN = List.of("core_module", "so_module", "watchdog_module", "http_module",
      "log_config_module", "logio_module", "version_module", "unixd_module");

  private final Set<String> loaded = new LinkedHashSet<>();
  private final boolean assumeAll;

  Modules(Iterable<String> initial, boolean assumeAll) {
    initial.forEach(name -> loaded.add(normalize(name)));
    this.assumeAll = assumeAll;
  }

  void load(String name) {
    loaded.add(normalize(name));
  }

  /** Whether a module is loaded; unknown when every module is assumed. */
  boolean has(String name) {
    return assumeAll || loaded.contains(normalize(name));
  }

  /** Whether anything told which modules are loaded. */
  boolean known() {
    return !assumeAll;
  }

  boolean test(String name, boolean negated) {
    if (assumeAll) {
      return !negated;
    }
    return loaded.contains(normalize(name)) != negated;
  }

  Set<String> loaded() {
    return loaded;
  }

  /** {@code mod_proxy.c} and {@code proxy_module} name the same module. */
  static String normalize(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".c")) {
      n = n.substring(0, n.length() - 2);
      if (n.startsWith("mod_")) {
        n = n.substring(4);
      }
      if (n.equals("http_core")) {
        n = "http";
      }
      return n + "_module";
    }
    return n;
  }
}
