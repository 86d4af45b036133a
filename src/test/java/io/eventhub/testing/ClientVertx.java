package io.eventhub.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The test clients' own Vert.x, apart from the hub's, shared by all tests in the JVM. */
public final class ClientVertx {
  private static final Vertx VERTX = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  private ClientVertx() {}

  public static Vertx get() {
    return VERTX;
  }

  /**
   * Starts an operation on an event loop and waits for it on the test thread. Started from the test
   * thread, a future may complete before its callbacks are attached, and whatever the network sends
   * in between (a SockJS open frame, the first chunk of a stream) finds no handler.
   */
  public static <T> T call(Supplier<Future<T>> operation) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Context context = VERTX.getOrCreateContext();
    context.runOnContext(v -> operation.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    try {
      return result.get(BridgeClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("client operation failed: " + e, e);
    }
  }
}
