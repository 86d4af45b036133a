package io.eventhub.testing;

import io.vertx.core.json.JsonArray;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Reads SockJS frames as every transport carries them: o, h, a[...], c[code,"reason"]. */
final class SockJsFrames {
  private SockJsFrames() {}

  static void dispatch(String frame, CompletableFuture<Void> opened, Consumer<String> message,
                       CompletableFuture<BridgeClient.CloseInfo> closed) {
    if (frame.isEmpty()) {
      return;
    }
    switch (frame.charAt(0)) {
      case 'o' -> opened.complete(null);
      case 'h' -> { }
      case 'a' -> new JsonArray(frame.substring(1)).forEach(m -> message.accept((String) m));
      case 'c' -> {
        JsonArray close = new JsonArray(frame.substring(1));
        closed.complete(new BridgeClient.CloseInfo(close.getInteger(0), close.getString(1)));
      }
      default -> throw new IllegalStateException("not a SockJS frame: " + frame);
    }
  }
}
