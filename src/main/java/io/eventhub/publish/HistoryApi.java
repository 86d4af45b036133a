package io.eventhub.publish;

import io.eventhub.history.History;
import io.eventhub.history.Position;
import io.eventhub.history.StoredEvent;
import io.eventhub.protocol.JsonErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/history?address=A[&since=P][&limit=N]} for back ends (the publish token): a page
 * renders the current state from the events and hands the browser {@code position} to subscribe
 * from, so nothing published between the render and the subscription is missed.
 */
final class HistoryApi {
  static final String PATH = "/api/history";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 100_000;

  private final History history;

  HistoryApi(History history) {
    this.history = history;
  }

  void get(RoutingContext ctx) {
    String address = ctx.request().getParam("address");
    if (address == null || address.isEmpty()) {
      JsonErrors.send(ctx.response(), 400, "missing_address", "give the stream as ?address=");
      return;
    }
    if (history.streamOf(address) == null) {
      JsonErrors.send(ctx.response(), 404, "not_a_stream", address + " matches no history.streams pattern");
      return;
    }
    String sinceText = ctx.request().getParam("since");
    Position since = Position.parse(sinceText);
    if (sinceText != null && since == null) {
      JsonErrors.send(ctx.response(), 400, "invalid_position", "since must be EPOCH:OFFSET, got " + sinceText);
      return;
    }
    int limit;
    try {
      String limitText = ctx.request().getParam("limit");
      limit = limitText == null ? DEFAULT_LIMIT : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 0 || limit > MAX_LIMIT) {
      JsonErrors.send(ctx.response(), 400, "invalid_limit", "limit must be a whole number from 0 to " + MAX_LIMIT);
      return;
    }
    history.read(address, since, limit).onComplete(done -> {
      if (done.failed()) {
        JsonErrors.send(ctx.response(), 503, "history_failed", "cannot read the history: " + done.cause().getMessage());
        return;
      }
      JsonObject answer = new JsonObject().put("position", done.result().position().toString());
      if (!done.result().available()) {
        ctx.response().setStatusCode(410).putHeader("content-type", "application/json")
            .end(answer.put("error", "history_unavailable").encode());
        return;
      }
      JsonArray events = new JsonArray();
      done.result().events().stream().map(StoredEvent::toJson).forEach(events::add);
      ctx.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("address", address).put("position", answer.getString("position"))
              .put("events", events).encode());
    });
  }
}
