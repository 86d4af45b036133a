package io.eventhub.bridge;

import io.eventhub.protocol.ReplyFailureCodes;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;

import java.util.HashMap;
import java.util.Map;

/**
 * The bus messages a client was sent and whose senders await its reply, by reply address, each kept
 * until the reply timeout. Bounded, so that a client that never answers cannot pin unbounded messages.
 * Confined to the connection's event loop.
 */
final class PendingReplies {
  /** Replies a client may owe at once. */
  private static final int MAX_PENDING = 1000;

  private final Vertx vertx;
  private final long timeoutMillis;
  private final Map<String, Message<Object>> awaiting = new HashMap<>();

  PendingReplies(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Remembers {@code message} if its sender awaits a reply; returns the reply address to give the
   * client, or null when none is awaited or the client already owes too many.
   */
  String await(Message<Object> message) {
    String replyAddress = message.replyAddress();
    if (replyAddress == null || awaiting.size() >= MAX_PENDING) {
      return null;
    }
    awaiting.put(replyAddress, message);
    vertx.setTimer(timeoutMillis, id -> awaiting.remove(replyAddress));
    return replyAddress;
  }

  /** The message a client frame to {@code address} answers, if any; it is no longer pending. */
  Message<Object> take(String address) {
    return awaiting.remove(address);
  }

  /** The client is gone: every sender still waiting learns it now rather than at its timeout. */
  void failAll() {
    awaiting.values().forEach(m -> m.fail(ReplyFailureCodes.CLIENT_GONE, "client disconnected"));
    awaiting.clear();
  }
}
