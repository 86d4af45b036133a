package io.eventhub.publish;

import io.eventhub.presence.Presence;
import io.eventhub.protocol.JsonErrors;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/presence?address=A} for back ends (the publish token): who is on a tracked address,
 * across the cluster, in the shape clients get from a send to {@code $presence}.
 */
final class PresenceApi {
  static final String PATH = "/api/presence";

  private final Presence presence;

  PresenceApi(Presence presence) {
    this.presence = presence;
  }

  void get(RoutingContext ctx) {
    String address = ctx.request().getParam("address");
    if (address == null || address.isEmpty()) {
      JsonErrors.send(ctx.response(), 400, "missing_address", "give the address as ?address=");
      return;
    }
    if (address.startsWith(Presence.SNAPSHOT_ADDRESS)) {
      JsonErrors.send(ctx.response(), 403, "forbidden", address + " is the hub's own; ask for the address it watches");
      return;
    }
    if (!presence.tracks(address)) {
      JsonErrors.send(ctx.response(), 404, "not_tracked", address + " matches no presence.patterns pattern");
      return;
    }
    presence.snapshot(address).onComplete(done -> {
      if (done.failed()) {
        JsonErrors.send(ctx.response(), 503, "unavailable", "cannot read the presence: " + done.cause().getMessage());
        return;
      }
      ctx.response().putHeader("content-type", "application/json").end(done.result().encode());
    });
  }
}
