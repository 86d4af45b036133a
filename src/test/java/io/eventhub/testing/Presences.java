package io.eventhub.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Presence as clients and back ends see it: the join/leave stream, snapshots over the bridge and the API. */
public final class Presences {
  private static final AtomicInteger replies = new AtomicInteger();

  private Presences() {}

  /** Registers {@code client} for the joins and leaves of {@code address}; returns once the hub has it. */
  public static void watch(BridgeClient client, String address) {
    client.register("$presence:" + address);
    client.sync();
  }

  /** The next presence event {@code client} receives, within {@code timeout}: its body. */
  public static JsonObject nextEvent(BridgeClient client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        JsonObject frame = client.next();
        if (!"rec".equals(frame.getString("type")) || !frame.getString("address").startsWith("$presence:")) {
          throw new AssertionError("expected a presence event, got " + BridgeClient.abbreviate(frame));
        }
        return frame.getJsonObject("body");
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline || !e.getMessage().startsWith("no frame within")) {
          throw e;
        }
      }
    }
  }

  /** A presence event's body as the contract has it. */
  public static JsonObject event(String event, String userId, int connections) {
    return new JsonObject().put("event", event).put("userId", userId).put("connections", connections);
  }

  /** A send to {@code $presence} for {@code address}: the frame that answers it (rec or err). */
  public static JsonObject ask(BridgeClient client, String address) {
    String replyAddress = "presence-reply-" + replies.incrementAndGet();
    client.send(new JsonObject().put("type", "send").put("address", "$presence").put("replyAddress", replyAddress)
        .put("body", new JsonObject().put("address", address)));
    JsonObject frame = client.next();
    if (!replyAddress.equals(frame.getString("address"))) {
      throw new AssertionError("expected the answer on " + replyAddress + ", got " + BridgeClient.abbreviate(frame));
    }
    return frame;
  }

  /** {@code GET /api/presence?address=A} with {@code token} (null: none). */
  public static HttpResponse<Buffer> api(int port, String address, String token) {
    var request = WebClient.create(ClientVertx.get()).get(port, "127.0.0.1", "/api/presence");
    if (address != null) {
      request.addQueryParam("address", address);
    }
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await();
  }
}
