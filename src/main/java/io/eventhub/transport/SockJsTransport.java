package io.eventhub.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * The receiving requests of SockJS's HTTP transports, as far as the hub answers them itself: with one
 * close frame {@code c[code,"reason"]} in the transport's own framing. vertx-web would open a refused
 * session first ({@code o}) and can close a session only with {@code c[3000,"Go away!"]}; a SockJS
 * client acts on the first close frame it reads, so this one carries the hub's code.
 */
public enum SockJsTransport {
  XHR("xhr", HttpMethod.POST, "application/javascript; charset=UTF-8"),
  XHR_STREAMING("xhr_streaming", HttpMethod.POST, "application/javascript; charset=UTF-8") {
    /** Old browsers hand a streamed response to the page only after its first 2 KB. */
    @Override
    String prelude(String callback) {
      return "h".repeat(2048) + "\n";
    }
  },
  EVENTSOURCE("eventsource", HttpMethod.GET, "text/event-stream") {
    @Override
    String prelude(String callback) {
      return "\r\n";
    }

    @Override
    String frame(String callback, String frame) {
      return "data: " + frame + "\r\n\r\n";
    }
  },
  /** A hidden iframe's document: each frame is a script calling {@code p}, which hands it to the parent page. */
  HTMLFILE("htmlfile", HttpMethod.GET, "text/html; charset=UTF-8") {
    @Override
    String prelude(String callback) {
      String head = """
          <!doctype html>
          <html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>
          <script>
            document.domain = document.domain;
            var c = parent.%s;
            c.start();
            function p(d) { c.message(d); }
            window.onload = function () { c.stop(); };
          </script>""".formatted(callback);
      // Some browsers render (and run) a document only after its first kilobyte.
      return head + " ".repeat(Math.max(0, 1024 - head.length())) + "\r\n";
    }

    @Override
    String frame(String callback, String frame) {
      return "<script>\np(" + jsString(frame) + ");\n</script>\r\n";
    }
  },
  JSONP("jsonp", HttpMethod.GET, "application/javascript; charset=UTF-8") {
    /** The leading comment defuses the Flash "Rosetta" attack on JSONP endpoints. */
    @Override
    String frame(String callback, String frame) {
      return "/**/" + callback + "(" + jsString(frame) + ");\r\n";
    }
  };

  /** A JSONP or htmlfile callback is a JavaScript name path: nothing else may reach the script. */
  private static final Pattern CALLBACK = Pattern.compile("[a-zA-Z0-9_.-]+");
  /** vertx-web's limit for JSONP callbacks, kept so that both answer the same requests. */
  private static final int MAX_JSONP_CALLBACK = 32;
  private static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";

  private final String name;
  private final HttpMethod method;
  private final String contentType;

  SockJsTransport(String name, HttpMethod method, String contentType) {
    this.name = name;
    this.method = method;
    this.contentType = contentType;
  }

  /** What the response starts with before its first frame. */
  String prelude(String callback) {
    return "";
  }

  /** One SockJS frame as this transport carries it; the xhr transports, one a line. */
  String frame(String callback, String frame) {
    return frame + "\n";
  }

  boolean usesCallback() {
    return this == HTMLFILE || this == JSONP;
  }

  /** The transport of a receiving request ({@code .../<server>/<session>/<transport>}), or null for anything else. */
  public static SockJsTransport of(HttpServerRequest request) {
    String path = request.path();
    String last = path.substring(path.lastIndexOf('/') + 1);
    for (SockJsTransport transport : values()) {
      if (transport.name.equals(last) && transport.method == request.method()) {
        return transport;
      }
    }
    return null;
  }

  /** The SockJS close frame: {@code c[code,"reason"]}. */
  public static String closeFrame(int code, String reason) {
    return "c" + new JsonArray().add(code).add(reason == null ? "" : reason).encode();
  }

  /**
   * The callback a JSONP or htmlfile request names ({@code c}, or {@code callback}), or null when it
   * names none or one that is not a plain name path.
   */
  String callback(HttpServerRequest request) {
    String callback = request.getParam("callback");
    if (callback == null) {
      callback = request.getParam("c");
    }
    boolean valid = callback != null && CALLBACK.matcher(callback).matches()
        && (this != JSONP || callback.length() <= MAX_JSONP_CALLBACK);
    return valid ? callback : null;
  }

  /**
   * Answers a receiving request with {@code frame} alone (no open frame before it), headers as
   * vertx-web gives this transport's responses. A JSONP or htmlfile request without a valid callback
   * gets vertx-web's 500 instead: there is nothing its client could call.
   */
  public void answer(RoutingContext ctx, String frame, boolean insertSessionCookie) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    String callback = usesCallback() ? callback(request) : null;
    if (usesCallback() && callback == null) {
      response.setStatusCode(500).end("invalid \"callback\" parameter\n");
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, contentType).putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
    if (insertSessionCookie) {
      response.putHeader(HttpHeaders.SET_COOKIE, sessionCookie(request));
    }
    if (this == XHR || this == XHR_STREAMING) {
      // The xhr transports may be used cross-origin; the hub's own origin check has already run.
      String origin = request.getHeader(HttpHeaders.ORIGIN);
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin == null ? "*" : origin)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, String.valueOf(origin != null));
    }
    if (this == JSONP) {
      response.putHeader("X-Content-Type-Options", "nosniff");
    }
    response.end(Buffer.buffer(prelude(callback) + frame(callback, frame)));
  }

  /**
   * {@code JSESSIONID}, which SockJS sets on every transport ({@code /info} says {@code cookie_needed})
   * for load balancers that stick by it: the client's own, or a placeholder.
   */
  public static String sessionCookie(HttpServerRequest request) {
    Cookie own = request.getCookie("JSESSIONID");
    return "JSESSIONID=" + (own == null ? "dummy" : own.getValue()) + "; path=/";
  }

  /**
   * A JavaScript string literal safe inside a script element: JSON's escaping, and {@code <}, U+2028
   * and U+2029 escaped too, so a reason can neither end the script nor break older parsers.
   */
  static String jsString(String text) {
    return Json.encode(text).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
  }
}
