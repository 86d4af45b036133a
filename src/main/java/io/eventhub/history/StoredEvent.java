package io.eventhub.history;

import io.vertx.core.json.JsonObject;

/** One event of a stream's history: its body and the headers clients see. */
public record StoredEvent(Position position, Object body, JsonObject headers) {
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("position", position.toString()).put("body", body);
    return headers.isEmpty() ? json : json.put("headers", headers);
  }
}
