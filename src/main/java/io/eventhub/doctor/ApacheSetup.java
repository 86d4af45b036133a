package io.eventhub.doctor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The effective Apache configuration the checks look at: the directive tree (Includes followed,
 * conditions decided), the modules loaded, httpd's version, and its hosts.
 */
final class ApacheSetup {
  private final List<Directive> top;
  private final Modules modules;
  private final ApacheVersion version;
  private final List<Path> files;
  private final List<Finding> problems;

  private ApacheSetup(List<Directive> top, Modules modules, ApacheVersion version, List<Path> files, List<Finding> problems) {
    this.top = top;
    this.modules = modules;
    this.version = version;
    this.files = files;
    this.problems = problems;
  }

  /**
   * Reads {@code roots} in order. {@code loaded}: the modules {@code apache2ctl -M} listed, or null;
   * without them and without any LoadModule line, every module counts as loaded.
   */
  static ApacheSetup read(List<Path> roots, Path serverRoot, Map<String, String> environment, Map<String, String> defines,
                          Collection<String> loaded, ApacheVersion version) {
    Path root = serverRoot.toAbsolutePath().normalize();
    Modules modules = new Modules(loaded == null ? Modules.COMPILED_IN : loaded, false);
    ApacheConfigReader reader = new ApacheConfigReader(root, environment, defines, modules, version);
    List<Directive> top = reader.read(roots);
    if (loaded == null && collect(top, "LoadModule").isEmpty()) {
      modules = new Modules(Modules.COMPILED_IN, true);
      reader = new ApacheConfigReader(root, environment, defines, modules, version);
      top = reader.read(roots);
    }
    return new ApacheSetup(top, modules, version, reader.files(), reader.problems());
  }

  /** Each {@code <VirtualHost>}, or the main server alone when there is none. */
  List<Host> hosts() {
    List<Directive> main = top.stream().filter(d -> !d.is("VirtualHost")).toList();
    List<Host> hosts = new ArrayList<>();
    for (Directive d : top) {
      if (d.is("VirtualHost") && d.isSection()) {
        hosts.add(new Host(d, main));
      }
    }
    if (hosts.isEmpty()) {
      hosts.add(new Host(null, main));
    }
    return hosts;
  }

  /** The main server's own directives (outside every section). */
  List<Directive> main(String name) {
    return Host.named(top, name);
  }

  /** Every directive of this name anywhere in the tree, in file order. */
  List<Directive> all(String name) {
    return collect(top, name);
  }

  Modules modules() {
    return modules;
  }

  ApacheVersion version() {
    return version;
  }

  List<Path> files() {
    return files;
  }

  /** What reading found (a missing Include, an unclosed section). */
  List<Finding> problems() {
    return problems;
  }

  private static List<Directive> collect(List<Directive> directives, String name) {
    List<Directive> found = new ArrayList<>();
    for (Directive d : directives) {
      if (d.is(name)) {
        found.add(d);
      }
      if (d.isSection()) {
        found.addAll(collect(d.children(), name));
      }
    }
    return found;
  }
}
