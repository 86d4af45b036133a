package io.eventhub;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packages form layers: each may use only those below it, so the delivery path can change without surprises above. */
class LayeringTest {
  /** Lowest first; the root package ({@code Main}, {@code Hub}) wires them all and stands above. */
  private static final List<String> LAYERS = List.of(
      "tls", "config", "cluster", "metrics", "database", "protocol", "history", "auth", "delivery", "presence", "publish",
      "bridge", "transport", "http", "doctor");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.eventhub\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Path MAIN = Path.of("src/main/java/io/eventhub");

  @Test
  @DisplayName("no main package imports a package at its own level or above it")
  void importsRunDownwards() throws IOException {
    List<String> upward = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(file.getParent()).toString();
        if (pkg.isEmpty()) {
          continue;
        }
        assertTrue(LAYERS.contains(pkg), "package " + pkg + " has a place in LAYERS");
        Matcher imports = IMPORT.matcher(Files.readString(file));
        while (imports.find()) {
          String used = imports.group(1);
          if (!used.equals(pkg) && LAYERS.indexOf(used) >= LAYERS.indexOf(pkg)) {
            upward.add(MAIN.relativize(file) + " imports io.eventhub." + used);
          }
        }
      }
    }
    assertEquals(List.of(), upward, "imports that run up the layers");
  }
}
