package io.eventhub.testing;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js script from {@code src/test/js} in its own process: the test reads what it prints line by
 * line and writes commands to its stdin. The build installs its npm packages ({@code npm ci}).
 */
public final class NodeScript implements AutoCloseable {
  public static final Path DIR = Path.of("src", "test", "js");

  private final Process process;
  private final ProcessOutput output;
  private final Writer stdin;

  private NodeScript(Process process) {
    this.process = process;
    this.output = new ProcessOutput(process);
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  public static NodeScript start(String script, String... args) {
    if (!Files.isDirectory(DIR.resolve("node_modules"))) {
      throw new IllegalStateException("run the build (mvn verify) first: it installs " + DIR + "/node_modules with npm ci");
    }
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    try {
      return new NodeScript(new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (is Node.js installed?)", e);
    }
  }

  /** Waits for the next line the script prints and checks it. */
  public void expect(String line) {
    String next = output.next(BridgeClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!line.equals(next)) {
      throw new AssertionError("expected \"" + line + "\" from node, got \"" + next + "\"; transcript: " + transcript());
    }
  }

  /** The next line the script prints, or null if none came within {@code timeout}. */
  public String next(java.time.Duration timeout) {
    return output.next(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void tell(String command) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the script to end; returns its exit code. */
  public int exitCode() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("node did not finish; transcript: " + transcript());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public List<String> transcript() {
    return output.transcript();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
