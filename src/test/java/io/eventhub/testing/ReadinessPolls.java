package io.eventhub.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code /health/ready} of one hub asked back to back, as a Kubernetes probe would but without gaps,
 * until stopped: every answer is kept, so a test can say that not one of them was other than 200.
 */
public final class ReadinessPolls {
  /** Far more than a drill of seconds makes; the loop ends there even if nobody stops it. */
  private static final int MAX_POLLS = 100_000;

  /** One answer: HTTP status (-1 when none came within the probe's timeout) and body. */
  public record Answer(int status, String body) {}

  private final WebClient client = WebClient.create(ClientVertx.get());
  private final int port;
  private final List<Answer> answers = new ArrayList<>();
  private final CompletableFuture<List<Answer>> finished = new CompletableFuture<>();
  private volatile boolean stopping;

  private ReadinessPolls(int port) {
    this.port = port;
  }

  /** Starts polling the hub on {@code port}. */
  public static ReadinessPolls start(int port) {
    ReadinessPolls polls = new ReadinessPolls(port);
    ClientVertx.get().runOnContext(v -> polls.next());
    return polls;
  }

  // Answers are only touched on the one client context this chain runs on, then handed over whole.
  private void next() {
    if (stopping || answers.size() >= MAX_POLLS) {
      finished.complete(List.copyOf(answers));
      return;
    }
    client.get(port, "127.0.0.1", "/health/ready").timeout(5000).send()
        .onComplete(ar -> {
          HttpResponse<Buffer> response = ar.result();
          answers.add(ar.succeeded()
              ? new Answer(response.statusCode(), response.bodyAsString())
              : new Answer(-1, String.valueOf(ar.cause())));
          next();
        });
  }

  /** Stops after the answer in flight and returns every answer, in order. */
  public List<Answer> stop() {
    stopping = true;
    try {
      return finished.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the readiness polls did not stop: " + e, e);
    }
  }

  /** The answers other than 200. */
  public static List<Answer> notReady(List<Answer> answers) {
    return answers.stream().filter(a -> a.status() != 200).toList();
  }
}
