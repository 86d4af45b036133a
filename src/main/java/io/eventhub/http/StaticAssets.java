package io.eventhub.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The demo page and the hosted client scripts, read once from the jar and served from memory. */
public final class StaticAssets {
  static final String SOCKJS_RESOURCE = "/META-INF/resources/webjars/sockjs-client/1.6.1/dist/sockjs.min.js";

  private final Buffer indexHtml = load("/webroot/index.html");
  private final Buffer clientJs = load("/webroot/client.js");
  private final Buffer sockJs = load(SOCKJS_RESOURCE);

  /** Routes the demo page at {@code /}, the client scripts under {@code /eventbus/}, and {@code /favicon.ico}. */
  public void mount(Router router) {
    serve(router, "/", "text/html; charset=utf-8", indexHtml, "no-cache");
    serve(router, "/eventbus/client.js", "application/javascript; charset=utf-8", clientJs, "no-cache");
    serve(router, "/eventbus/sockjs.min.js", "application/javascript; charset=utf-8", sockJs, "public, max-age=86400");
    // Browsers ask for it on any page of the hub (the demo page names an inline icon, but /eventbus/info
    // or /health opened by hand do not): no icon, and no 404 in the console either.
    router.get("/favicon.ico").handler(ctx -> ctx.response()
        .setStatusCode(204)
        .putHeader("cache-control", "public, max-age=86400")
        .end());
  }

  private static void serve(Router router, String path, String contentType, Buffer body, String cacheControl) {
    router.get(path).handler(ctx -> ctx.response()
        .putHeader("content-type", contentType)
        .putHeader("cache-control", cacheControl)
        .end(body));
  }

  private static Buffer load(String resource) {
    try (InputStream in = StaticAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
