package io.eventhub.bench;

import io.eventhub.Hub;
import io.eventhub.config.ConfigLoader;
import io.eventhub.cluster.Clustering;
import io.eventhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The server under test, in a JVM of its own (the benchmark pins it to one core): {@code hub} is
 * event-hub; {@code baseline} is the stock vertx-web SockJS bridge ({@code SockJSHandler.bridge}) on
 * the same paths ({@code /eventbus} SockJS, {@code /eventbus/websocket} raw). Prints
 * {@code READY <port>} when it listens. Usage: BenchServer hub|baseline [hub config JSON]
 */
public final class BenchServer {
  public static void main(String[] args) throws Exception {
    int port;
    if (args[0].equals("hub")) {
      Path conf = Files.createTempFile("bench-hub", ".json");
      Files.writeString(conf, args.length > 1 ? args[1] : "{}");
      Hub hub = Hub.start(ConfigLoader.load(conf, Map.of()).config()).await();
      port = hub.port();
    } else {
      port = baseline(args.length > 2 ? clustered(Integer.parseInt(args[1]), List.of(args[2].split(","))) : Vertx.vertx());
    }
    System.out.println("READY " + port);
    System.out.flush();
    Thread.currentThread().join();
  }

  /** A clustered Vert.x for the baseline's cross-instance runs, with the hub's own Hazelcast settings. */
  private static Vertx clustered(int hazelcastPort, List<String> members) {
    HubConfig.Cluster cluster = new HubConfig.Cluster(true, "bench", "127.0.0.1", "", 0, hazelcastPort,
        HubConfig.Discovery.STATIC, members, "", false);
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(Clustering.eventBus(cluster)))
        .withClusterManager(Clustering.clusterManager(cluster)).buildClustered().await();
  }

  private static int baseline(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post("/eventbus/*").handler(BodyHandler.create());
    PermittedOptions bench = new PermittedOptions().setAddressRegex("bench\\..*");
    // Its default 10 s ping timeout would cut the benchmark's clients, which do not ping.
    SockJSBridgeOptions options = new SockJSBridgeOptions().addInboundPermitted(bench).addOutboundPermitted(bench)
        .setPingTimeout(3_600_000);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(options));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await().actualPort();
  }

  /**
   * The hub's configuration for a run: login sessions checked in {@code database}, bench.* open to
   * everyone logged in, limits out of the way. {@code -Dbench.hubConfig='{"bridge": {...}}'} is merged
   * in (deep), for A/B runs of a setting.
   */
  static JsonObject hubConfig(JsonObject database) {
    return new JsonObject("""
        {"http": {"host": "127.0.0.1", "port": 0, "instances": 1},
         "auth": {"mode": "session", "revalidateSeconds": 0, "cacheSeconds": 600},
         "bridge": {"permissions": {"subscribe": ["bench.*"], "publish": ["bench.*"]},
                    "maxMessagesPerSecond": 1000000, "writeQueueMaxBytes": 4194304},
         "metrics": {"enabled": false}}""").put("database", database)
        .mergeIn(new JsonObject(System.getProperty("bench.hubConfig", "{}")), true);
  }
}
