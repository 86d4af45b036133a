package io.eventhub.http;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.config.HubConfig;
import io.eventhub.protocol.CloseCodes;
import io.eventhub.protocol.JsonErrors;
import io.eventhub.publish.PublishApi;
import io.eventhub.transport.SockJsSessionSocket;
import io.eventhub.transport.SockJsSessions;
import io.eventhub.transport.SockJsTransport;
import io.eventhub.transport.SocketRelease;
import io.eventhub.transport.Transports;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One HTTP server verticle; the hub deploys one per core, all sharing the port. Serves the SockJS
 * endpoint, the raw WebSocket endpoint, the publish API, health, the demo page and the client scripts.
 */
public final class HubServerVerticle extends VerticleBase {
  public static final String EVENTBUS = "/eventbus";
  public static final String METRICS = "/metrics";
  /** SockJS: {@code /eventbus/<server>/<session>/websocket}; server and session hold no dot or slash. */
  private static final String SOCKJS_WEBSOCKET = "^/eventbus/[^/.]+/[^/.]+/websocket$";
  /**
   * The SockJS requests that open (or resume) a receiving session; sends need no new check. The
   * group must not capture: Vert.x turns capture groups into request params, and SockJS reads its
   * session id from "param0".
   */
  private static final String SOCKJS_RECEIVING = "^/eventbus/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource|htmlfile|jsonp)$";
  private static final String AUTH = "eventhub.auth";
  private static final String STARTED = "eventhub.started";

  private final HubConfig config;
  private final Bridge bridge;
  private final Transports transports;
  private final Admission admission;
  private final Health health;
  private final StaticAssets assets;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;
  private SockJsSessions sessions;
  private boolean sessionCookie;

  public HubServerVerticle(HubConfig config, Bridge bridge, Transports transports, Admission admission,
                           Health health, StaticAssets assets, PrometheusMeterRegistry registry) {
    this.transports = transports;
    this.registry = registry;
    this.config = config;
    this.bridge = bridge;
    this.admission = admission;
    this.health = health;
    this.assets = assets;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.readiness()));
    new PublishApi(config.publish(), bridge.publisher(), bridge.presence()).mount(router);
    if (config.metrics().enabled() && !config.metrics().separatePort()) {
      router.get(METRICS).handler(PrometheusScrapingHandler.create(registry));
    }
    assets.mount(router);
    mountBridge(router);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setIdleTimeout(config.http().idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // Without it the kernel grows a socket's send buffer to megabytes for a client that does
        // not read; with it what waits there for one client is bounded and known.
        .setSendBufferSize(config.http().effectiveSendBufferBytes(config.bridge()))
        // WebSockets are upgraded by the hub (transport.WebSocketUpgrade), without compression: every
        // browser offers permessage-deflate, and with it each connection keeps a zlib deflater (~100 KB
        // of native memory once the first event went out, 127 KB instead of ~30 KB per idle client
        // measured) and compresses every event again, where the fan-out writes the same pre-built bytes
        // to all sockets.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // HTTP/1.1 only, as Apache and every client speak to the hub: with cleartext HTTP/2 on, each
        // connection first gets a handler that waits for a preface, then one that looks each request
        // over for an h2c upgrade, each added and removed again per connect.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(true);
    if (config.tls().enabled()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.tls().certFile()).setKeyPath(config.tls().keyFile()));
    }
    return vertx.createHttpServer(options).requestHandler(router).connectionHandler(SocketRelease::install).listen()
        .onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void mountBridge(Router router) {
    router.post(EVENTBUS + "/*").handler(BodyHandler.create(false)
        .setBodyLimit(4L * config.bridge().maxFrameBytes()));
    router.get(EVENTBUS + "/websocket").handler(this::upgradeRaw);
    // Every SockJS client starts here. Refused with 503 while draining, a new client never opens a
    // session on this instance, and a proxy that fails over on 503 (Apache: failonstatus) moves it,
    // route cookie or not, to an instance that stays.
    router.get(EVENTBUS + "/info").handler(ctx -> {
      if (!refuseIfUnavailable(ctx, System.nanoTime())) {
        ctx.next();
      }
    });
    router.getWithRegex(SOCKJS_WEBSOCKET).handler(this::upgradeSockJs);
    router.routeWithRegex(SOCKJS_RECEIVING).handler(this::receiveSockJs);
    router.route(EVENTBUS + "/*").handler(HubServerVerticle::onlySockJsCookie);
    // A plain route "/eventbus" would also match "/eventbus/" and reroute forever.
    router.routeWithRegex("^/eventbus$").handler(ctx -> ctx.reroute(EVENTBUS + "/"));
    SockJSHandlerOptions sockJsOptions = new SockJSHandlerOptions()
        .setHeartbeatInterval(config.bridge().heartbeatMillis())
        .setSessionTimeout(config.bridge().sessionTimeoutMillis())
        .setRegisterWriteHandler(false)
        .setLocalWriteHandler(false);
    sessionCookie = sockJsOptions.isInsertJSESSIONID();
    sessions = SockJsSessions.of(vertx, config.bridge().sessionTimeoutMillis());
    router.route(EVENTBUS + "/*").subRouter(SockJSHandler.create(vertx, sockJsOptions).socketHandler(session -> {
      SockJSSocket socket = new SockJsSessionSocket(session, sessions, SockJsSessions.sessionId(session.uri()));
      RoutingContext opening = socket.routingContext();
      AuthResult auth = opening == null ? null : opening.get(AUTH);
      long start = opening == null || opening.get(STARTED) == null ? System.nanoTime() : opening.<Long>get(STARTED);
      // The route refuses handshakes before vertx-web opens a session; what is left here came about
      // while the handshake was being authenticated (and vertx-web has sent "o" already).
      if (turnedAway(start, (code, reason) -> transports.refuseSockJs(socket, code, reason))) {
        return;
      }
      // Fail closed: a session opened by a request the authenticator did not see is refused too.
      AuthResult result = auth != null ? auth : AuthResult.unauthenticated("not authenticated");
      countHandshake(result, start);
      if (result.admitted()) {
        transports.attachSockJs(socket, result);
      } else {
        transports.refuseSockJs(socket, result.closeCode(), result.message());
      }
    }));
  }

  /** Raw WebSocket: refused before the upgrade, with an HTTP status and a JSON body. */
  private void upgradeRaw(RoutingContext ctx) {
    long start = System.nanoTime();
    if (refuseIfUnavailable(ctx, start)) {
      return;
    }
    authenticate(ctx, start, auth -> {
      if (!auth.admitted()) {
        ctx.request().resume();
        if ("too_many_attempts".equals(auth.error())) {
          ctx.response().putHeader("Retry-After", String.valueOf(admission.retryAfterSeconds(auth.clientAddress())));
        }
        JsonErrors.send(ctx.response(), auth.status(), auth.error(), auth.message());
        return;
      }
      transports.attachRaw(ctx.request(), auth);
    });
  }

  /** SockJS's websocket transport: upgraded either way, refusals as a SockJS close frame with a code. */
  private void upgradeSockJs(RoutingContext ctx) {
    long start = System.nanoTime();
    if (refuseIfUnavailable(ctx, start)) {
      return;
    }
    authenticate(ctx, start, auth -> {
      if (auth.admitted()) {
        transports.attachSockJsWebSocket(ctx.request(), auth);
      } else {
        transports.refuseSockJsWebSocket(ctx.request(), auth.closeCode(), auth.message());
      }
    });
  }

  /**
   * SockJS's HTTP transports, in front of vertx-web. A request of a session this instance holds goes
   * on (or gets the close frame the hub closed the session with); any other opens a session, and is
   * the handshake: refused right here with the close frame alone, as vertx-web would write "o" first,
   * or let through with its identity for the socket handler. Other methods (CORS preflights) go on.
   */
  private void receiveSockJs(RoutingContext ctx) {
    SockJsTransport transport = SockJsTransport.of(ctx.request());
    if (transport == null) {
      ctx.next();
      return;
    }
    String id = SockJsSessions.sessionId(ctx.request().path());
    if (sessions.known(id)) {
      sessions.receive(id, ctx, transport, sessionCookie);
      return;
    }
    long start = System.nanoTime();
    if (turnedAway(start, (code, reason) -> refuseSockJs(ctx, transport, code, reason))) {
      return;
    }
    // Counted here when refused, in the socket handler when admitted: once per session, not per poll.
    admission.admit(ctx.request())
        .onSuccess(auth -> {
          if (!auth.admitted()) {
            countHandshake(auth, start);
            refuseSockJs(ctx, transport, auth.closeCode(), auth.message());
            return;
          }
          ctx.put(AUTH, auth);
          ctx.put(STARTED, start);
          sessions.receive(id, ctx, transport, sessionCookie);
        });
  }

  /** A new SockJS session while draining (4000) or full (4503): closed with {@code close}, and counted. */
  private boolean turnedAway(long start, BiConsumer<Integer, String> close) {
    if (bridge.connections().draining()) {
      bridge.metrics().handshake("draining", start);
      close.accept(CloseCodes.RECONNECT, "reconnect");
      return true;
    }
    if (overLimit()) {
      bridge.metrics().handshake("limit_exceeded", start);
      close.accept(CloseCodes.UNAVAILABLE, "connection limit reached");
      return true;
    }
    return false;
  }

  private void refuseSockJs(RoutingContext ctx, SockJsTransport transport, int code, String reason) {
    transport.answer(ctx, SockJsTransport.closeFrame(code, reason), sessionCookie);
  }

  /**
   * vertx-web's SockJS handler copies the request's Cookie header into the Set-Cookie of its sends and
   * CORS preflights unless JSESSIONID comes first in it: the browser would be told to store its login
   * cookie once more, under the session's path and without HttpOnly. It gets the JSESSIONID alone,
   * as vertx-web gives its receiving requests; the handshake has read the login cookie by now.
   */
  private static void onlySockJsCookie(RoutingContext ctx) {
    MultiMap headers = ctx.request().headers();
    if (headers.contains(HttpHeaders.COOKIE)) {
      Cookie own = ctx.request().getCookie("JSESSIONID");
      headers.remove(HttpHeaders.COOKIE);
      if (own != null) {
        headers.set(HttpHeaders.COOKIE, "JSESSIONID=" + own.getValue());
      }
    }
    ctx.next();
  }

  /**
   * Never fails: an error becomes a refusal (fail closed). Counts the attempt by outcome. A cached
   * answer (the common case in a reconnect storm) is used at once, without a chain of futures.
   */
  private void authenticate(RoutingContext ctx, long start, Handler<AuthResult> then) {
    Future<AuthResult> pending = admission.admit(ctx.request());
    if (pending.succeeded()) {
      countHandshake(pending.result(), start);
      then.handle(pending.result());
      return;
    }
    ctx.request().pause();
    pending.onComplete(result -> {
      AuthResult auth = result.succeeded() ? result.result() : AuthResult.unavailable("authentication failed");
      countHandshake(auth, start);
      then.handle(auth);
    });
  }

  private void countHandshake(AuthResult auth, long start) {
    bridge.metrics().handshake(auth.admitted() ? "accepted" : auth.error(), start);
  }

  /** Per instance: past it, clients go elsewhere (503 / 4503, which the client retries with backoff). */
  private boolean overLimit() {
    return bridge.connections().count() >= config.http().maxConnections();
  }

  private boolean refuseIfUnavailable(RoutingContext ctx, long start) {
    if (overLimit()) {
      bridge.metrics().handshake("limit_exceeded", start);
      JsonErrors.send(ctx.response(), 503, "unavailable", "connection limit of this instance reached (http.maxConnections)");
      return true;
    }
    if (!bridge.connections().draining()) {
      return false;
    }
    bridge.metrics().handshake("draining", start);
    JsonErrors.send(ctx.response(), 503, "unavailable", "hub is draining; reconnect to another instance");
    return true;
  }
}
