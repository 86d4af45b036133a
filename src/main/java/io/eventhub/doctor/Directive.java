package io.eventhub.doctor;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One directive of the effective Apache configuration, with where it was written. A section
 * ({@code <VirtualHost>}, {@code <Location>}, {@code <Proxy>}...) has children; conditional sections
 * ({@code <IfModule>}, {@code <IfDefine>}...) are already resolved away, and {@code ${NAME}} replaced.
 */
record Directive(String name, List<String> args, Path file, int line, List<Directive> children) {

  boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }

  boolean isSection() {
    return children != null;
  }

  String arg(int index) {
    return index < args.size() ? args.get(index) : "";
  }

  /** The first argument in lower case, for On/Off style values. */
  String value() {
    return arg(0).toLowerCase(Locale.ROOT);
  }

  String where() {
    return file + ":" + line;
  }

  /** As written, for messages: {@code ProxyPass /eventbus http://...}. */
  String text() {
    return (isSection() ? "<" + name : name) + (args.isEmpty() ? "" : " " + String.join(" ", args)) + (isSection() ? ">" : "");
  }
}
