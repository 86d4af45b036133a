package io.eventhub.protocol;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Error responses in one shape: {@code {"error": CODE, "message": TEXT}}. */
public final class JsonErrors {
  private JsonErrors() {}

  public static void send(HttpServerResponse response, int status, String code, String message) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", code).put("message", message).encode());
  }
}
