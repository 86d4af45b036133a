package io.eventhub.testing;

import io.eventhub.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hub in a JVM of its own, as operators run it; its output is kept for assertions and failures. */
public final class HubProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");

  /**
   * What {@code java -jar target/event-hub.jar} gets from the jar's manifest (pom.xml's
   * {@code Add-Opens} and {@code Add-Exports}), so that the hub started here from the classpath runs
   * as it does for operators (Hazelcast warns at start without them).
   */
  private static final List<String> MANIFEST_JVM_OPTIONS = manifestJvmOptions();

  private final Process process;
  private final ProcessOutput output;
  private int port = -1;

  private HubProcess(Process process) {
    this.process = process;
    this.output = new ProcessOutput(process);
  }

  /** Starts {@code Main} with these arguments and environment (HUB_* variables of this JVM are not passed on). */
  public static HubProcess spawn(Map<String, String> env, String... args) {
    return spawn(System.getProperty("java.class.path"), env, args);
  }

  /** As {@link #spawn(Map, String...)}, on another classpath (e.g. without the jars an image leaves out). */
  public static HubProcess spawn(String classpath, Map<String, String> env, String... args) {
    return spawnMain(Main.class.getName(), classpath, env, args);
  }

  /** Another program of the test classpath (e.g. a Vert.x service joining the hubs' cluster) run the same way. */
  public static HubProcess spawnMain(String mainClass, String... args) {
    return spawnMain(mainClass, System.getProperty("java.class.path"), Map.of(), args);
  }

  private static HubProcess spawnMain(String mainClass, String classpath, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        // The hub's own logging (not the tests' quieter one): the port is read from its start-up line.
        "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath()));
    command.addAll(MANIFEST_JVM_OPTIONS);
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("HUB_"));
    builder.environment().putAll(env);
    try {
      return new HubProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a hub with a configuration file written from {@code json}. */
  public static HubProcess withConfig(Path dir, String name, String json) {
    try {
      Path file = dir.resolve(name + ".json");
      Files.writeString(file, json);
      return spawn(Map.of(), "--conf", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the start-up line and returns the client port it names. */
  public int awaitPort() {
    if (port > 0) {
      return port;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      String line = output.next(1, TimeUnit.SECONDS);
      if (line != null) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
          return port;
        }
      }
      if (!process.isAlive() && output.drained()) {
        break;
      }
    }
    throw new AssertionError("the hub did not report its port:\n" + output());
  }

  /** Waits for a line that starts with {@code prefix}, passing over the others (log lines). */
  public String awaitLine(String prefix) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = output.next(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line == null && !process.isAlive() && output.drained()) {
        break;
      }
    }
    throw new AssertionError("no line starting with \"" + prefix + "\":\n" + output());
  }

  /** Writes one line to the process's standard input. */
  public void tell(String line) {
    try {
      process.getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return awaitPort();
  }

  public Process process() {
    return process;
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /**
   * SIGTERM: the graceful drain. Through the process handle: {@link Process#destroy()} also closes
   * the pipes, so what the hub logs while it drains and stops would be lost (and its writes fail).
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the exit (and the last line of output); a JVM ended by SIGTERM exits with 143 even after a clean shutdown. */
  public int waitFor() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the hub did not exit");
      }
      output.awaitEnd(10, TimeUnit.SECONDS);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public String output() {
    return String.join("\n", output.transcript());
  }

  /** The lines printed so far (after {@link #awaitPort()}: up to the start-up line at least). */
  public List<String> lines() {
    return output.transcript();
  }

  /** Waits until every one of {@code hubs} listens and sees all of them as cluster members. */
  public static void awaitClusterOf(HubProcess... hubs) {
    for (HubProcess hub : hubs) {
      hub.awaitPort();
    }
    awaitCluster(hubs.length, List.of(hubs));
  }

  /** Stops every hub started (null for one that never was). */
  public static void closeAll(HubProcess... hubs) {
    for (HubProcess hub : hubs) {
      if (hub != null) {
        hub.close();
      }
    }
  }

  /** Waits until every live hub of {@code hubs} counts {@code members} cluster members. */
  public static void awaitCluster(int members, Collection<HubProcess> hubs) {
    Await.until(members + " members seen by every live hub", Duration.ofSeconds(60), () -> hubs.stream()
        .filter(hub -> hub.process.isAlive())
        .allMatch(hub -> Scrape.of(hub.port()).value("eventhub_cluster_members") == members));
  }

  private static List<String> manifestJvmOptions() {
    try {
      String pom = Files.readString(Path.of("pom.xml"));
      List<String> options = new ArrayList<>();
      for (String entry : List.of("Add-Opens", "Add-Exports")) {
        Matcher m = Pattern.compile("<" + entry + ">([^<]*)</" + entry + ">").matcher(pom);
        if (!m.find()) {
          throw new IllegalStateException("pom.xml's jar manifest has no " + entry);
        }
        for (String module : m.group(1).trim().split("\\s+")) {
          options.add("--" + entry.toLowerCase(java.util.Locale.ROOT) + "=" + module + "=ALL-UNNAMED");
        }
      }
      return List.copyOf(options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hazelcast's static member list for hubs on these loopback ports, as a JSON array's elements. */
  public static String memberList(int... hazelcastPorts) {
    return java.util.stream.IntStream.of(hazelcastPorts).mapToObj(p -> "\"127.0.0.1:" + p + "\"")
        .collect(java.util.stream.Collectors.joining(","));
  }

  /**
   * A clustered hub's configuration for the history tests: anonymous clients may use {@code test.**},
   * {@code test.stream.*} keeps 1,000 events for 10 minutes, the publish API takes the test token.
   */
  public static String streamMemberConfig(int hazelcastPort, String memberList) {
    return """
        {"http": {"host": "127.0.0.1", "port": 0, "instances": 1},
         "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d, "members": [%s]},
         "auth": {"mode": "anonymous"},
         "bridge": {"permissions": {"subscribe": ["test.**"], "publish": ["test.**"], "send": []}},
         "history": {"streams": [{"pattern": "test.stream.*", "size": 1000, "ttlSeconds": 600}]},
         "publish": {"token": "%s"},
         "shutdown": {"drainSeconds": 1}}""".formatted(hazelcastPort, memberList, TestHub.TOKEN);
  }

  /** A loopback port free right now (for Hazelcast's static member list, which needs ports up front). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
