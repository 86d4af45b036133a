package io.eventhub.bridge;

import io.eventhub.presence.Presence;
import io.eventhub.protocol.ErrorCode;
import io.eventhub.protocol.InboundFrame;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.json.JsonObject;

/**
 * A client's presence snapshot: {@code send} to {@code $presence} with body {@code {"address": A}} and
 * a reply address. Answered here, not by a bus consumer, because the answer depends on who asks: only
 * a client that may subscribe to A learns who is on it.
 */
final class PresenceQueries {
  /** The reply's failure code when A is not tracked (no presence.patterns match). */
  static final int NOT_TRACKED = 404;
  /** The reply's failure code when the presence could not be read (the cluster is changing). */
  static final int UNAVAILABLE = 503;

  private PresenceQueries() {}

  static boolean handles(InboundFrame frame) {
    return Presence.SNAPSHOT_ADDRESS.equals(frame.address());
  }

  static void answer(BridgeConnection connection, InboundFrame frame, AddressRules rules) {
    String replyAddress = frame.replyAddress();
    String address = frame.body() instanceof JsonObject body && body.getValue("address") instanceof String a ? a : null;
    if (replyAddress == null || address == null) {
      connection.writeFrame(OutboundFrame.err(ErrorCode.INVALID_JSON,
          "a presence snapshot is a send to $presence with body {\"address\": A} and a replyAddress", replyAddress));
      return;
    }
    if (!rules.maySubscribe(address) || address.startsWith(Presence.SNAPSHOT_ADDRESS)) {
      connection.writeFrame(OutboundFrame.err(ErrorCode.ACCESS_DENIED,
          "not allowed to see the presence of " + address + " (not allowed to subscribe to it)", replyAddress));
      return;
    }
    Presence presence = connection.bridge().presence();
    if (!presence.tracks(address)) {
      connection.writeFrame(OutboundFrame.replyFailure(replyAddress, NOT_TRACKED, "RECIPIENT_FAILURE",
          address + " is not tracked (no presence.patterns match)"));
      return;
    }
    presence.snapshot(address).onComplete(done -> connection.context().runOnContext(v -> {
      if (connection.closed()) {
        return;
      }
      connection.writeFrame(done.succeeded()
          ? OutboundFrame.rec(replyAddress, done.result(), null, null)
          : OutboundFrame.replyFailure(replyAddress, UNAVAILABLE, "RECIPIENT_FAILURE",
              "cannot read the presence of " + address + ": " + done.cause().getMessage()));
    }));
  }
}
