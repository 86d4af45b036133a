package io.eventhub.http;

import io.eventhub.auth.Identity;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.CloseCodes;
import io.eventhub.config.HubConfig;
import io.eventhub.publish.PublishApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

import java.util.concurrent.TimeUnit;

/**
 * One HTTP server verticle; the hub deploys one per core, all sharing the port. Serves the SockJS
 * endpoint, the raw WebSocket endpoint, the publish API, health, the demo page and the client scripts.
 */
public final class HubServerVerticle extends VerticleBase {
  public static final String EVENTBUS = "/eventbus";
  /** SockJS: {@code /eventbus/<server>/<session>/websocket}; server and session hold no dot or slash. */
  private static final String SOCKJS_WEBSOCKET = "^/eventbus/[^/.]+/[^/.]+/websocket$";

  private final HubConfig config;
  private final Bridge bridge;
  private final Health health;
  private final StaticAssets assets;
  private HttpServer server;

  public HubServerVerticle(HubConfig config, Bridge bridge, Health health, StaticAssets assets) {
    this.config = config;
    this.bridge = bridge;
    this.health = health;
    this.assets = assets;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.readiness()));
    new PublishApi(config.publish(), vertx.eventBus()).mount(router);
    assets.mount(router);
    mountBridge(router);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setIdleTimeout(config.http().idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxWebSocketFrameSize(webSocketLimit())
        .setMaxWebSocketMessageSize(webSocketLimit())
        .setCompressionSupported(true);
    return vertx.createHttpServer(options).requestHandler(router).listen()
        .onSuccess(s -> server = s);
  }

  /** Vert.x cuts off far-oversized frames itself (1009); the bridge refuses the rest with 4009. */
  private int webSocketLimit() {
    return Math.max(4 * config.bridge().maxFrameBytes(), 65_536);
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void mountBridge(Router router) {
    router.get(EVENTBUS + "/websocket").handler(this::upgradeRaw);
    router.getWithRegex(SOCKJS_WEBSOCKET).handler(this::upgradeSockJs);
    // A plain route "/eventbus" would also match "/eventbus/" and reroute forever.
    router.routeWithRegex("^/eventbus$").handler(ctx -> ctx.reroute(EVENTBUS + "/"));
    router.post(EVENTBUS + "/*").handler(BodyHandler.create(false)
        .setBodyLimit(4L * config.bridge().maxFrameBytes()));
    SockJSHandlerOptions sockJsOptions = new SockJSHandlerOptions()
        .setHeartbeatInterval(config.bridge().heartbeatMillis())
        .setSessionTimeout(config.bridge().sessionTimeoutMillis())
        .setRegisterWriteHandler(false)
        .setLocalWriteHandler(false);
    router.route(EVENTBUS + "/*").subRouter(SockJSHandler.create(vertx, sockJsOptions).socketHandler(socket -> {
      if (bridge.connections().draining()) {
        bridge.refuse(socket, CloseCodes.RECONNECT, "reconnect");
      } else {
        bridge.attachSockJs(socket, Identity.ANONYMOUS);
      }
    }));
  }

  private void upgradeRaw(RoutingContext ctx) {
    if (refuseWhileDraining(ctx)) {
      return;
    }
    ctx.request().toWebSocket().onSuccess(socket -> bridge.attachRaw(socket, Identity.ANONYMOUS));
  }

  private void upgradeSockJs(RoutingContext ctx) {
    if (refuseWhileDraining(ctx)) {
      return;
    }
    ctx.request().toWebSocket().onSuccess(socket -> bridge.attachSockJsWebSocket(socket, Identity.ANONYMOUS));
  }

  private boolean refuseWhileDraining(RoutingContext ctx) {
    if (!bridge.connections().draining()) {
      return false;
    }
    JsonErrors.send(ctx.response(), 503, "unavailable", "hub is draining; reconnect to another instance");
    return true;
  }
}
