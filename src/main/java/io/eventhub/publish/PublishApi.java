package io.eventhub.publish;

import io.eventhub.config.HubConfig;
import io.eventhub.delivery.Publisher;
import io.eventhub.presence.Presence;
import io.eventhub.protocol.InboundFrame;
import io.eventhub.protocol.JsonErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/publish} for back ends: one event {@code {address, body, headers?}} or a batch
 * {@code [event, ...]}, bearer-token authenticated. A batch is checked whole before any of it is
 * published, so a bad item never leaves the others half sent. The answer holds the position of each
 * event of a stream address ({@code position}, or {@code positions} for a batch, null for the others);
 * {@code GET /api/history} and {@code GET /api/presence} are served with the same token.
 */
public final class PublishApi {
  public static final String PATH = "/api/publish";

  private final HubConfig.Publish config;
  private final Publisher publisher;
  private final byte[] token;
  private final Presence presence;

  public PublishApi(HubConfig.Publish config, Publisher publisher, Presence presence) {
    this.config = config;
    this.publisher = publisher;
    this.presence = presence;
    this.token = ("Bearer " + config.token()).getBytes(StandardCharsets.UTF_8);
  }

  public void mount(Router router) {
    // Its own route so that the token is checked before any body is buffered.
    router.post(PATH).handler(this::authenticate);
    router.get(HistoryApi.PATH).handler(this::authenticate).handler(new HistoryApi(publisher.history())::get);
    router.get(PresenceApi.PATH).handler(this::authenticate).handler(new PresenceApi(presence)::get);
    router.post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
        .handler(this::publish)
        .failureHandler(ctx -> {
          if (ctx.statusCode() == 413) {
            JsonErrors.send(ctx.response(), 413, "body_too_large",
                "request body exceeds publish.maxBodyBytes (" + config.maxBodyBytes() + " bytes)");
          } else {
            JsonErrors.send(ctx.response(), 500, "internal", "publish failed");
          }
        });
    router.route(PATH).handler(ctx -> {
      ctx.response().putHeader("allow", "POST");
      JsonErrors.send(ctx.response(), 405, "method_not_allowed", "use POST " + PATH);
    });
  }

  private void authenticate(RoutingContext ctx) {
    if (!config.enabled()) {
      JsonErrors.send(ctx.response(), 401, "unauthenticated",
          "the publish API is off: set publish.token (HUB_PUBLISH_TOKEN) to switch it on");
      return;
    }
    String given = ctx.request().getHeader("authorization");
    if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      JsonErrors.send(ctx.response(), 401, "unauthenticated",
          given == null ? "missing Authorization: Bearer header" : "wrong bearer token");
      return;
    }
    ctx.next();
  }

  private void publish(RoutingContext ctx) {
    Object parsed;
    try {
      parsed = Json.decodeValue(ctx.body().buffer());
    } catch (DecodeException | NullPointerException e) {
      JsonErrors.send(ctx.response(), 400, "invalid_json", "request body is not JSON");
      return;
    }
    List<Event> events = new ArrayList<>();
    Problem problem = collect(parsed, events);
    if (problem == null && events.isEmpty()) {
      problem = Problem.invalid("batch holds no events");
    }
    if (problem != null) {
      JsonErrors.send(ctx.response(), 400, problem.code(), problem.message());
      return;
    }
    if (publisher.lag().refusing()) {
      // Before anything is published: a refused batch is refused whole, so a retry sends no duplicates.
      ctx.response().putHeader("retry-after", Long.toString(publisher.lag().retryAfterSeconds()));
      JsonErrors.send(ctx.response(), 503, "overloaded", "the hub is behind with its deliveries; retry later");
      return;
    }
    List<Future<String>> positions = new ArrayList<>(events.size());
    for (Event event : events) {
      positions.add(publisher.publish(event.address, event.body, event.options, "api"));
    }
    boolean batch = parsed instanceof JsonArray;
    Future.all(positions).onComplete(done -> {
      JsonObject answer = new JsonObject().put("accepted", events.size());
      if (done.failed()) {
        JsonErrors.send(ctx.response(), 500, "internal", "storing in history failed: " + done.cause().getMessage());
        return;
      }
      if (batch) {
        answer.put("positions", new JsonArray(positions.stream().map(Future::result).map(Object.class::cast).toList()));
      } else if (positions.get(0).result() != null) {
        answer.put("position", positions.get(0).result());
      }
      ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(answer.encode());
    });
  }

  /** Why a request cannot be published: an error code of the API and the text for the sender. */
  private record Problem(String code, String message) {
    static Problem invalid(String message) {
      return new Problem("invalid_event", message);
    }
  }

  /** Returns the first problem, or null when every event is valid. */
  private Problem collect(Object parsed, List<Event> events) {
    if (parsed instanceof JsonObject single) {
      return read(single, "", events);
    }
    if (parsed instanceof JsonArray batch) {
      if (batch.size() > config.maxBatchSize()) {
        return Problem.invalid("batch of " + batch.size() + " events exceeds publish.maxBatchSize ("
            + config.maxBatchSize() + ")");
      }
      for (int i = 0; i < batch.size(); i++) {
        String where = "[" + i + "].";
        Problem problem = batch.getValue(i) instanceof JsonObject item
            ? read(item, where, events) : Problem.invalid(where.substring(0, where.length() - 1) + " is not an object");
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    return Problem.invalid("expected an event object or an array of them");
  }

  private static Problem read(JsonObject item, String where, List<Event> events) {
    Object address = item.getValue("address");
    if (address == null || "".equals(address)) {
      return new Problem("missing_address", where + "address is missing");
    }
    if (!(address instanceof String a) || a.length() > InboundFrame.MAX_ADDRESS_LENGTH) {
      return Problem.invalid(where + "address must be a string of at most " + InboundFrame.MAX_ADDRESS_LENGTH + " characters");
    }
    if (a.startsWith(Presence.SNAPSHOT_ADDRESS)) {
      // Presence events are the hub's word alone: nobody may forge a join or a leave.
      return Problem.invalid(where + "address " + a + " is the hub's own (presence)");
    }
    DeliveryOptions options = new DeliveryOptions();
    Object headers = item.getValue("headers");
    if (headers != null) {
      if (!(headers instanceof JsonObject h)) {
        return Problem.invalid(where + "headers must be an object of strings");
      }
      for (String name : h.fieldNames()) {
        if (!(h.getValue(name) instanceof String value)) {
          return Problem.invalid(where + "headers." + name + " must be a string");
        }
        options.addHeader(name, value);
      }
    }
    for (String key : item.fieldNames()) {
      if (!key.equals("address") && !key.equals("body") && !key.equals("headers")) {
        return Problem.invalid(where + key + " is not a field of an event (address, body, headers)");
      }
    }
    events.add(new Event(a, item.getValue("body"), options));
    return null;
  }

  private record Event(String address, Object body, DeliveryOptions options) {}
}
