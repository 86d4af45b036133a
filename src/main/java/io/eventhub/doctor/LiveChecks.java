package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The path through Apache tried the way a browser takes it: {@code /eventbus/info}, a raw WebSocket
 * upgrade and SockJS's websocket transport (with the Origin the browser sends and, given one, the
 * session cookie), then xhr-streaming, whose first bytes must arrive within the timeout (else
 * something buffers them) and, when the hub admits the client, sends on the same SockJS session,
 * which must reach the same hub (else Apache is not sticky). Each finding names the hop that broke.
 */
final class LiveChecks {
  static final String CLIENT_APACHE = "you -> Apache";
  static final String APACHE = "Apache";
  static final String APACHE_HUB = "Apache -> hub";
  static final String HUB = "hub";
  private static final long GRACE_MILLIS = 200;

  private final DoctorOptions options;
  private final HubFacts hub;
  private final HttpClient http;
  private final WebSocketClient webSockets;
  private final List<Finding> findings = new ArrayList<>();
  private final String origin;
  private final String cookie;
  private final long timeoutMillis;
  private final Vertx vertx;
  private final Answers answers;
  /** Whether the hub let the raw WebSocket in: then a SockJS session stays open for the stickiness test. */
  private boolean admitted;

  private LiveChecks(Vertx vertx, DoctorOptions options, HubFacts hub) {
    this.vertx = vertx;
    this.options = options;
    this.hub = hub;
    this.timeoutMillis = TimeUnit.SECONDS.toMillis(options.timeoutSeconds());
    URI uri = URI.create(options.url());
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    boolean defaultPort = uri.getPort() < 0 || uri.getPort() == (scheme.equals("https") ? 443 : 80);
    // What a browser sends: no port when it is the scheme's default.
    this.origin = options.origin() != null ? options.origin()
        : scheme + "://" + uri.getHost() + (defaultPort ? "" : ":" + uri.getPort());
    String cookieName = options.cookie() != null ? options.cookie() : hub.cookie();
    this.cookie = options.session() == null ? null : cookieName + "=" + options.session();
    this.answers = new Answers(findings, options.url(), origin, cookie);
    HttpClientOptions httpOptions = new HttpClientOptions().setConnectTimeout((int) timeoutMillis).setKeepAlive(false);
    WebSocketClientOptions wsOptions = new WebSocketClientOptions().setConnectTimeout((int) timeoutMillis);
    if (options.insecure()) {
      httpOptions.setTrustAll(true).setVerifyHost(false);
      wsOptions.setTrustAll(true).setVerifyHost(false);
    } else if (options.ca() != null) {
      httpOptions.setTrustOptions(new PemTrustOptions().addCertPath(options.ca().toString()));
      wsOptions.setTrustOptions(new PemTrustOptions().addCertPath(options.ca().toString()));
    }
    this.http = vertx.createHttpClient(httpOptions);
    this.webSockets = vertx.createWebSocketClient(wsOptions);
  }

  /** Runs every live check against {@code options.url()}; never longer than a few timeouts. */
  static List<Finding> run(DoctorOptions options, HubFacts hub) {
    Vertx vertx = Vertx.vertx();
    try {
      LiveChecks checks = new LiveChecks(vertx, options, hub);
      checks.all().toCompletionStage().toCompletableFuture().get(8L * options.timeoutSeconds() + 10, TimeUnit.SECONDS);
      return checks.findings;
    } catch (Exception e) {
      return List.of(Finding.live(Severity.ERROR, "live-incomplete", options.url(), CLIENT_APACHE,
          "the live checks did not finish: " + e, "run again; if it persists, raise --timeout"));
    } finally {
      vertx.close();
    }
  }

  private Future<Void> all() {
    return info().compose(reachable -> !reachable ? Future.succeededFuture()
        : rawWebSocket().compose(v -> sockJsWebSocket()).compose(v -> streaming()));
  }

  /** {@code /eventbus/info}: whether the hub answers through Apache at all; false stops the rest. */
  private Future<Boolean> info() {
    String url = options.url() + StaticChecks.BASE + "/info";
    return request(HttpMethod.GET, url, List.of())
        .compose(response -> response.body().map(body -> {
          int status = response.statusCode();
          if (status == 200 && body.toString().contains("\"websocket\"")) {
            findings.add(Finding.live(Severity.OK, "live-info", url, HUB, "the hub answers /eventbus/info through Apache ("
                + body.toString().trim() + ")", ""));
            return true;
          }
          answers.refused(url, "live-info", status, response.headers(), body, "/eventbus/info");
          return false;
        }))
        .recover(e -> {
          answers.unreachable(url, e);
          return Future.succeededFuture(false);
        });
  }

  private Future<Void> rawWebSocket() {
    String url = webSocketUrl(StaticChecks.BASE + "/websocket");
    return connect(url).map(socket -> {
      admitted = true;
      socket.close();
      findings.add(Finding.live(Severity.OK, "live-websocket", url, HUB, "the raw WebSocket upgrades through Apache (101)"
          + (cookie != null ? " with the session cookie" : "") + " and Origin " + origin, ""));
      return (Void) null;
    }).recover(e -> {
      if (e instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401 && cookie == null && hub.sessionAuth()) {
        findings.add(Finding.live(Severity.NOTE, "live-websocket-session", url, HUB, "the hub asks the raw WebSocket for a "
            + "login session (401), as it should without one; the SockJS check below tells whether the upgrade passes",
            "pass --session ID (a logged-in session id) to try a logged-in handshake"));
      } else {
        // The raw endpoint checks the session before it upgrades: this far, the hub admitted the client.
        admitted = Answers.notUpgraded(e);
        answers.webSocketFailed(url, "the raw WebSocket", e);
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> sockJsWebSocket() {
    String url = webSocketUrl(sockJsPath("websocket"));
    return connect(url).map(socket -> {
      socket.close();
      findings.add(Finding.live(Severity.OK, "live-sockjs-websocket", url, HUB,
          "SockJS's websocket transport upgrades through Apache (101)", ""));
      return (Void) null;
    }).recover(e -> {
      answers.webSocketFailed(url, "SockJS's websocket transport", e);
      return Future.succeededFuture();
    });
  }

  /**
   * xhr-streaming: the first bytes (SockJS's 2 KiB prelude and the open frame) must arrive while the
   * response stays open, then sends on the session must stick. A session the hub closes at once
   * (refused) ends the response, which a buffer lets through too: then buffering cannot be seen.
   */
  private Future<Void> streaming() {
    String path = sockJsPath("");
    String url = options.url() + path + "xhr_streaming";
    Promise<Void> firstBytes = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, t -> firstBytes.tryFail("no bytes within " + options.timeoutSeconds() + " s"));
    List<String> routeCookies = new ArrayList<>();
    Buffer received = Buffer.buffer();
    AtomicBoolean ended = new AtomicBoolean();
    AtomicReference<HttpClientRequest> open = new AtomicReference<>();
    // The request's own timeout later than the timer: no bytes in time is this check's finding, not a failure.
    http.request(options(HttpMethod.POST, url, List.of()).setTimeout(3 * timeoutMillis)).compose(request -> {
      open.set(request);
      request.response().onSuccess(response -> {
        if (response.statusCode() != 200) {
          response.body().onComplete(body -> {
            answers.refused(url, "live-streaming", response.statusCode(), response.headers(), body.result(), "xhr-streaming");
            firstBytes.tryFail("refused");
          });
          return;
        }
        response.cookies().forEach(c -> routeCookies.add(c.split(";", 2)[0]));
        response.endHandler(v -> ended.set(true));
        response.handler(chunk -> {
          received.appendBuffer(chunk);
          firstBytes.tryComplete();
        });
      }).onFailure(firstBytes::tryFail);
      return request.end();
    }).onFailure(firstBytes::tryFail);
    Future<Void> checked = firstBytes.future()
        .compose(v -> {
          vertx.cancelTimer(timer);
          // A moment for the rest of what arrived together: the end, or a close frame.
          Promise<Void> settled = Promise.promise();
          vertx.setTimer(GRACE_MILLIS, t -> settled.complete());
          return settled.future();
        })
        .compose(v -> streamed(url, path, received.toString(), ended.get(), routeCookies), e -> {
          vertx.cancelTimer(timer);
          if (e.getMessage() != null && e.getMessage().startsWith("no bytes")) {
            findings.add(Finding.live(Severity.ERROR, "live-streaming-buffered", url, APACHE_HUB,
                "xhr-streaming got no bytes within " + options.timeoutSeconds() + " s: something between the browser and "
                    + "the hub holds the stream back (an output filter, or a proxy buffering responses), so SockJS's "
                    + "streaming transports fail and clients fall back to polling",
                "remove output filters that wait for the whole response from " + StaticChecks.BASE
                    + " (see the static findings: buffering-filter); a CDN or second proxy in front must not buffer either"));
          } else if (!"refused".equals(e.getMessage())) {
            answers.unreachable(url, e);
          }
          return Future.succeededFuture();
        });
    return checked.onComplete(done -> {
      if (open.get() != null) {
        open.get().reset();
      }
    });
  }

  private Future<Void> streamed(String url, String path, String text, boolean ended, List<String> cookies) {
    int close = text.indexOf("\nc[");
    if (ended || close >= 0) {
      String frame = close >= 0 ? text.substring(close + 1).lines().findFirst().orElse("") : "(none)";
      findings.add(Finding.live(Severity.NOTE, "live-streaming-untested", url, HUB, "the hub ended the SockJS session at "
          + "once (close frame " + frame + "), so whether anything buffers streams cannot be seen",
          cookie == null && hub.sessionAuth() ? "pass --session ID to try it with a logged-in session"
              : "see the findings above for why the hub refused it"));
      return Future.succeededFuture();
    }
    findings.add(Finding.live(Severity.OK, "live-streaming", url, HUB,
        "xhr-streaming's first bytes arrive through Apache while the stream stays open (nothing buffers them)", ""));
    // The stream stays open meanwhile, so the session is certainly alive when the sends arrive.
    return admitted ? sticky(options.url() + path + "xhr_send", cookies, 3) : Future.succeededFuture();
  }

  /** Sends on the open SockJS session: each must reach the hub holding it (204), not another (404). */
  private Future<Void> sticky(String url, List<String> cookies, int left) {
    List<String> headers = new ArrayList<>(cookies);
    return request(HttpMethod.POST, url, headers, Buffer.buffer("[\"{\\\"type\\\":\\\"ping\\\"}\"]"))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .compose(status -> {
          if (status == 204) {
            if (left > 1) {
              return sticky(url, cookies, left - 1);
            }
            findings.add(Finding.live(Severity.OK, "live-sticky", url, APACHE_HUB,
                "3 sends reached the hub that holds their SockJS session", ""));
            return Future.succeededFuture();
          }
          findings.add(Finding.live(Severity.ERROR, "live-not-sticky", url, APACHE_HUB, "a send on an open SockJS session got "
              + status + (status == 404 ? ": it reached a hub that does not hold the session" : "")
              + "; Apache does not keep one session's requests on one hub" + (cookies.isEmpty() ? " (it set no route cookie)" : ""),
              "make the balancer sticky (static finding no-stickiness; apache/event-hub.conf)"));
          return Future.succeededFuture();
        }, e -> {
          answers.unreachable(url, e);
          return Future.succeededFuture();
        });
  }

  private Future<io.vertx.core.http.WebSocket> connect(String url) {
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setAbsoluteURI(url).setTimeout(timeoutMillis)
        .setConnectTimeout(timeoutMillis).putHeader("Origin", origin);
    if (cookie != null) {
      connect.putHeader("Cookie", cookie);
    }
    return webSockets.connect(connect);
  }

  private Future<HttpClientResponse> request(HttpMethod method, String url, List<String> cookies) {
    return request(method, url, cookies, null);
  }

  private Future<HttpClientResponse> request(HttpMethod method, String url, List<String> cookies, Buffer body) {
    return http.request(options(method, url, cookies)).compose(r -> body == null ? r.send() : r.send(body));
  }

  private RequestOptions options(HttpMethod method, String url, List<String> cookies) {
    RequestOptions request = new RequestOptions().setMethod(method).setAbsoluteURI(url).setTimeout(timeoutMillis)
        .putHeader("Origin", origin);
    List<String> all = new ArrayList<>(cookies);
    if (cookie != null) {
      all.add(cookie);
    }
    if (!all.isEmpty()) {
      request.putHeader("Cookie", String.join("; ", all));
    }
    return request;
  }

  private String webSocketUrl(String path) {
    return options.url().replaceFirst("(?i)^http", "ws") + path;
  }

  /** {@code /eventbus/<server>/<session>/} with fresh ids, as sockjs-client makes them. */
  private static String sockJsPath(String transport) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return StaticChecks.BASE + "/" + random.nextInt(100, 1000) + "/doctor" + Long.toHexString(random.nextLong() >>> 16)
        + "/" + transport;
  }

}
