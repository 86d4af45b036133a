package io.eventhub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The lines a child process prints, to wait for one by one and to show whole when a test fails. */
final class ProcessOutput {
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Void> ended;

  ProcessOutput(Process process) {
    ended = CompletableFuture.runAsync(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        reader.lines().forEach(line -> {
          transcript.add(line);
          lines.add(line);
        });
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // the process ended
      }
    });
  }

  /** The next line, or null if none came within the timeout. */
  String next(long timeout, TimeUnit unit) {
    try {
      return lines.poll(timeout, unit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until the process has closed its output (it has exited, or is about to), so the transcript is whole. */
  void awaitEnd(long timeout, TimeUnit unit) {
    try {
      ended.get(timeout, unit);
    } catch (Exception e) {
      throw new AssertionError("the process output did not end: " + e);
    }
  }

  boolean drained() {
    return lines.isEmpty();
  }

  List<String> transcript() {
    return List.copyOf(transcript);
  }
}
