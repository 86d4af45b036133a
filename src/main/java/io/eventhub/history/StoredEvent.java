package io.eventhub.history;

import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/** One event of a stream's history: its body and the headers clients see. */
public record StoredEvent(Position position, Object body, JsonObject headers) {
  /** The headers of an event that clients see: all but the hub's own ({@code hub-*}). */
  static JsonObject clientHeaders(MultiMap headers) {
    JsonObject kept = new JsonObject();
    if (headers != null) {
      headers.forEach((name, value) -> {
        if (!name.startsWith(OutboundFrame.HUB_HEADER_PREFIX)) {
          kept.put(name, value);
        }
      });
    }
    return kept;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("position", position.toString()).put("body", body);
    return headers.isEmpty() ? json : json.put("headers", headers);
  }
}
