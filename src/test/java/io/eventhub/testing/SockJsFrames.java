package io.eventhub.testing;

import io.vertx.core.json.JsonArray;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Reads SockJS frames as every transport carries them: o, h, a[...], c[code,"reason"]. */
final class SockJsFrames {
  private SockJsFrames() {}

  /**
   * {@code answered} completes with the frame that answers the handshake: {@code o}, or a close frame
   * {@code c[code,"reason"]} when the hub refuses the session.
   */
  static void dispatch(String frame, CompletableFuture<String> answered, Consumer<String> message,
                       CompletableFuture<BridgeClient.CloseInfo> closed) {
    if (frame.isEmpty()) {
      return;
    }
    switch (frame.charAt(0)) {
      case 'o' -> answered.complete(frame);
      case 'h' -> { }
      case 'a' -> new JsonArray(frame.substring(1)).forEach(m -> message.accept((String) m));
      case 'c' -> {
        answered.complete(frame);
        JsonArray close = new JsonArray(frame.substring(1));
        closed.complete(new BridgeClient.CloseInfo(close.getInteger(0), close.getString(1)));
      }
      default -> throw new IllegalStateException("not a SockJS frame: " + frame);
    }
  }

  /** Waits for the handshake's answer; returns it. */
  static String awaitAnswer(CompletableFuture<String> answered, String transport) {
    try {
      return answered.get(BridgeClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no SockJS open or close frame over " + transport, e);
    }
  }
}
