package io.eventhub.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SockJS's HTTP fallback transports, spoken as the protocol defines them: a receiving request
 * (polling or streaming, re-opened when the server ends it) and {@code xhr_send}/{@code jsonp_send}
 * for what the client sends. All requests of one client share a SockJS session id.
 */
public final class SockJsHttpClient extends BridgeClient {
  public enum Kind {
    XHR_POLLING("xhr", HttpMethod.POST, false),
    XHR_STREAMING("xhr_streaming", HttpMethod.POST, true),
    EVENTSOURCE("eventsource", HttpMethod.GET, true),
    HTMLFILE("htmlfile?c=p", HttpMethod.GET, true),
    JSONP("jsonp?c=cb", HttpMethod.GET, false);

    final String path;
    final HttpMethod method;
    final boolean streaming;

    Kind(String path, HttpMethod method, boolean streaming) {
      this.path = path;
      this.method = method;
      this.streaming = streaming;
    }
  }

  // No keep-alive: SockJS's polling transports close the connection after each response, and a
  // pooled connection picked up in that moment fails the next request.
  private static final HttpClient HTTP = ClientVertx.get().createHttpClient(
      new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(512));
  private static final Pattern HTMLFILE_CALL = Pattern.compile("p\\((\".*?\")\\);");
  private static final Pattern JSONP_CALL = Pattern.compile("cb\\((\".*\")\\);", Pattern.DOTALL);

  private final int port;
  private final Kind kind;
  private final String base;
  private final CompletableFuture<String> answered = new CompletableFuture<>();
  private final Credentials credentials;
  private volatile HttpClientRequest receiving;

  public SockJsHttpClient(int port, Kind kind) {
    this(port, kind, Credentials.NONE);
  }

  public SockJsHttpClient(int port, Kind kind, Credentials credentials) {
    this.port = port;
    this.kind = kind;
    this.credentials = credentials;
    this.base = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/";
    ClientVertx.get().getOrCreateContext().runOnContext(v -> receive());
    SockJsFrames.awaitAnswer(answered, kind.path);
  }

  @Override
  public String firstFrame() {
    return answered.getNow(null);
  }

  private void receive() {
    if (closed.isDone()) {
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(kind.method).setHost("127.0.0.1").setPort(port)
        .setURI(base + kind.path + (credentials.query().isEmpty() ? ""
            : (kind.path.contains("?") ? "&" : "?") + credentials.query().substring(1)));
    credentials.headers().forEach(options::putHeader);
    HTTP.request(options)
        .compose(request -> {
          receiving = request;
          return request.send();
        })
        .onSuccess(this::read)
        .onFailure(e -> closed.complete(new CloseInfo(-1, "receive failed: " + e)));
  }

  private void read(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      closed.complete(new CloseInfo(-response.statusCode(), "HTTP " + response.statusCode()));
      return;
    }
    if (kind.streaming) {
      RecordParser lines = RecordParser.newDelimited(kind == Kind.EVENTSOURCE ? "\r\n" : "\n", this::streamLine);
      response.handler(lines);
      response.endHandler(v -> receive());
    } else {
      response.body().onSuccess(body -> {
        pollBody(body.toString());
        receive();
      });
    }
  }

  private void streamLine(Buffer lineBuffer) {
    String line = lineBuffer.toString();
    switch (kind) {
      case XHR_STREAMING -> {
        if (!line.matches("h{2,}")) {
          frame(line);
        }
      }
      case EVENTSOURCE -> {
        if (line.startsWith("data: ")) {
          frame(line.substring(6));
        }
      }
      default -> {
        Matcher call = HTMLFILE_CALL.matcher(line);
        if (call.find()) {
          frame((String) Json.decodeValue(call.group(1)));
        }
      }
    }
  }

  private void pollBody(String body) {
    if (kind == Kind.JSONP) {
      Matcher call = JSONP_CALL.matcher(body);
      if (call.find()) {
        frame((String) Json.decodeValue(call.group(1)));
      }
    } else {
      for (String line : body.split("\n")) {
        frame(line);
      }
    }
  }

  private void frame(String text) {
    SockJsFrames.dispatch(text, answered, this::deliverUnlessClose, closed);
  }

  /**
   * The hub's bridge {@code close} message goes before the SockJS close frame; the close code is
   * taken from the SockJS frame alone, which is what SockJS clients act on.
   */
  private void deliverUnlessClose(String message) {
    JsonObject frame = new JsonObject(message);
    if (!"close".equals(frame.getString("type"))) {
      received.add(frame);
    }
  }

  @Override
  public void sendText(String text) {
    String messages = new JsonArray().add(text).encode();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port);
    Buffer body;
    if (kind == Kind.JSONP) {
      options.setURI(base + "jsonp_send").putHeader("content-type", "application/x-www-form-urlencoded");
      body = Buffer.buffer("d=" + URLEncoder.encode(messages, StandardCharsets.UTF_8));
    } else {
      options.setURI(base + "xhr_send").putHeader("content-type", "text/plain");
      body = Buffer.buffer(messages);
    }
    // Sends are ordered: each waits for the previous one, as a browser's SockJS client does.
    synchronized (this) {
      int status = HTTP.request(options).compose(r -> r.send(body)).map(HttpClientResponse::statusCode).await();
      if (status == 404) {
        return; // the session is gone: the hub closed it, and the receiving side reports how
      }
      if (status != 204 && status != 200) {
        throw new AssertionError(kind + " send answered HTTP " + status);
      }
    }
  }

  @Override
  public void close() {
    closed.complete(new CloseInfo(-1, "closed by the test"));
    HttpClientRequest request = receiving;
    if (request != null) {
      request.reset();
    }
  }

}
