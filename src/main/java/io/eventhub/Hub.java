package io.eventhub;

import io.eventhub.auth.Authenticator;
import io.eventhub.auth.SessionRevocation;
import io.eventhub.auth.SessionStore;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.Connections;
import io.eventhub.cluster.ClusterMembership;
import io.eventhub.cluster.HubMembers;
import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.config.HubConfig;
import io.eventhub.database.Database;
import io.eventhub.delivery.DeliveryLag;
import io.eventhub.delivery.FanOut;
import io.eventhub.delivery.Handover;
import io.eventhub.delivery.Publisher;
import io.eventhub.history.BusPositions;
import io.eventhub.history.ClusterIntake;
import io.eventhub.history.HazelcastHistory;
import io.eventhub.history.History;
import io.eventhub.history.MemoryHistory;
import io.eventhub.history.MeteredHistory;
import io.eventhub.http.Admission;
import io.eventhub.http.Health;
import io.eventhub.http.HubServerVerticle;
import io.eventhub.http.StaticAssets;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.metrics.Metrics;
import io.eventhub.presence.HazelcastPresence;
import io.eventhub.presence.MemoryPresence;
import io.eventhub.presence.Presence;
import io.eventhub.presence.PresenceHome;
import io.eventhub.transport.SendQueues;
import io.eventhub.transport.Transports;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One hub instance, wired here and nowhere else, and drained on the way out:
 * <pre>
 *  browser ── http.HubServerVerticle ── auth.Authenticator (origin, session in MySQL, cached)
 *                 │
 *                 └─ transport.Transports ── bridge.BridgeConnection (frames, permissions, limits)
 *                                                 │ subscribe                 │ publish
 *  clustered event bus ── delivery.FanOut ────────┘     delivery.Publisher ──┘── publish.PublishApi
 *   (one consumer per address per instance, one encode per event; delivery.Handover on drain)
 *  bridge subscriptions of tracked addresses ── presence.Presence (per user, cluster-wide; $presence:A)
 * </pre>
 */
public final class Hub {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final Vertx vertx;
  private final HubConfig config;
  private final Bridge bridge;
  private final Transports transports;
  private final AtomicReference<HubServerVerticle> firstServer = new AtomicReference<>();
  private Future<Void> stopped;
  private final PrometheusMeterRegistry registry;
  private final HubMetrics metrics;
  private int metricsPort;
  private Database database;
  private SessionStore sessions;
  private SessionRevocation revocation;
  private long outboundSampling = -1;
  /** Null when clustering is off. */
  private final HubMembers hubMembers;
  /** Touched by the (ordered) sampling task only. */
  private long lastOutboundSample;
  /** Touched by the sampling timer only. */
  private long lastOutboundTick;

  /**
   * Events waiting on the event loops beyond which events arriving from the bus are dropped: publishers
   * through the hub are refused long before (bridge.maxDeliveryLagMillis), so only events put on the
   * bus by others can get here. About 50 MB of queued events.
   */
  private static final int MAX_WAITING_EVENTS = 100_000;
  /** Often enough to refuse within a fraction of bridge.maxDeliveryLagMillis (1 s by default). */
  private static final long OUTBOUND_SAMPLE_MILLIS = 250;
  /**
   * While the sockets' buffers are calm: reading the kernel's socket table costs ~2 µs of kernel time
   * per socket (3.7 ms at 2,000 sockets), four times a second was ~5 % of the delivery CPU.
   */
  private static final long CALM_OUTBOUND_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private Hub(Vertx vertx, PrometheusMeterRegistry registry, HubConfig config) {
    this.vertx = vertx;
    this.registry = registry;
    this.metrics = new HubMetrics(registry);
    this.config = config;
    // Delivery: events enter through the publisher and leave through the fan-out, which the handover
    // also feeds while clients move off a draining instance; both watch one lag.
    DeliveryLag lag = new DeliveryLag(config.bridge().maxDeliveryLagMillis(), MAX_WAITING_EVENTS);
    HazelcastInstance hazelcast = hazelcast(vertx);
    SubscribedAddresses subscribed = SubscribedAddresses.of(vertx);
    this.hubMembers = hazelcast == null ? null : HubMembers.of(hazelcast);
    History history = history(vertx, hazelcast, config, metrics, subscribed, hubMembers);
    Publisher publisher = new Publisher(vertx.eventBus(), subscribed, metrics, lag, history);
    FanOut fanOut = new FanOut(vertx.eventBus(), metrics, config.bridge().flushIntervalMillis(),
        config.bridge().maxFlushIntervalMillis(), lag, history);
    Handover handover = new Handover(vertx.eventBus(), fanOut, metrics, config.shutdown().effectiveHandoverSeconds());
    Presence presence = new Presence(vertx, config.presence(), presenceHome(vertx, hazelcast, config), publisher, metrics);
    // The bridge: every client connection's protocol, permissions and limits over that delivery path.
    this.bridge = new Bridge(vertx, config.bridge(), metrics, publisher, fanOut, handover, new Connections(metrics,
        config.http().maxConnectionsPerUser(), config.http().maxConnectionsPerAddress()), presence);
    this.transports = new Transports(bridge, config.http().idleTimeoutSeconds());
    metrics.gauge("eventhub.outbound.waiting.bytes", "Bytes written to client sockets that wait in the kernel's send queues",
        lag::outboundWaitingBytes);
    metrics.gauge("eventhub.cluster.members", "Hub instances in the cluster (1: clustering off)", this::clusterMembers);
  }

  /**
   * The one home of stream history, chosen here: none without streams (no interceptor, nothing on
   * the delivery path), else in Hazelcast when clustered (every member sees one history), else in
   * memory. Events other services publish get positions on the way in: in this JVM as they go out,
   * from other JVMs through the intakes.
   */
  private static History history(Vertx vertx, HazelcastInstance hazelcast, HubConfig config, HubMetrics metrics,
                                 SubscribedAddresses subscribed, HubMembers members) {
    if (config.history().streams().isEmpty()) {
      return History.NONE;
    }
    History history = new MeteredHistory(hazelcast != null
        ? new HazelcastHistory(vertx, hazelcast, config.history())
        : new MemoryHistory(vertx, config.history()), metrics);
    BusPositions.install(vertx.eventBus(), history);
    if (hazelcast != null) {
      ClusterIntake.start(vertx, hazelcast, history, subscribed, members);
    }
    return history;
  }

  /** The cluster's Hazelcast; null when clustering is off. */
  private static HazelcastInstance hazelcast(Vertx vertx) {
    return vertx instanceof VertxInternal internal && internal.clusterManager() instanceof HazelcastClusterManager hz
        ? hz.getHazelcastInstance() : null;
  }

  /**
   * The one home of presence, chosen here like history's: in Hazelcast when clustered (every member
   * sees one presence), else in memory; without presence.patterns it is never written.
   */
  private static PresenceHome presenceHome(Vertx vertx, HazelcastInstance hazelcast, HubConfig config) {
    return config.presence().enabled() && hazelcast != null ? new HazelcastPresence(vertx, hazelcast) : new MemoryPresence();
  }

  /** Builds Vert.x with metrics and starts a hub on it; on failure nothing is left running. */
  public static Future<Hub> start(HubConfig config) {
    PrometheusMeterRegistry registry = Metrics.registry();
    return Metrics.vertx(registry, config.cluster(), config.http().transport()).compose(vertx -> start(vertx, registry, config)
        .recover(e -> {
          // Not awaited: its completion would be delivered on the very event loops it shuts down
          // (a RejectedExecutionException, and a caller waiting forever).
          vertx.close();
          return Future.failedFuture(e);
        }));
  }

  /**
   * Opens the database (starting the embedded one if configured), then deploys the HTTP servers; the
   * future fails if the database cannot be set up or the port cannot be bound.
   */
  private static Future<Hub> start(Vertx vertx, PrometheusMeterRegistry registry, HubConfig config) {
    if (config.http().transport() == HubConfig.IoTransport.IO_URING) {
      log.info("Netty's io_uring transport (http.transport)");
    } else if (config.http().transport() == HubConfig.IoTransport.EPOLL && !vertx.isNativeTransportEnabled()) {
      log.info("Netty's native transport is unavailable here ({}); using Java NIO", String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    Hub hub = new Hub(vertx, registry, config);
    long heartbeat = config.bridge().heartbeatMillis();
    vertx.setPeriodic(heartbeat, heartbeat, id -> hub.bridge.connections().heartbeat());
    hub.outboundSampling = vertx.setPeriodic(OUTBOUND_SAMPLE_MILLIS, id -> hub.sampleOutbound());
    return hub.openSessions()
        .compose(authenticator -> {
          Health health = new Health(vertx, hub.bridge.connections(), hub.database,
              config.database().queryTimeoutMillis(), ClusterMembership.of(vertx));
          StaticAssets assets = new StaticAssets();
          Admission admission = new Admission(authenticator, hub.bridge.connections(), config.http());
          return vertx.deployVerticle(() -> {
            HubServerVerticle server = new HubServerVerticle(config, hub.bridge, hub.transports, admission, health, assets, registry);
            hub.firstServer.compareAndSet(null, server);
            return server;
          }, new DeploymentOptions().setInstances(config.http().instances()));
        })
        .compose(id -> hub.startMetricsServer())
        .compose(v -> hub.bridge.handover().ready())
        .map(v -> hub);
  }

  /**
   * Samples what waits in the client sockets' buffers (Netty's and the kernel's send queues) for the
   * overload check, on a worker: only while deliveries are written or bytes wait, every 250 ms once
   * what waits runs late, else every second.
   */
  private void sampleOutbound() {
    HubServerVerticle server = firstServer.get();
    DeliveryLag lag = bridge.publisher().lag();
    long tick = System.nanoTime();
    if (server == null || !lag.outboundActive() || lag.outboundCalm() && tick - lastOutboundTick < CALM_OUTBOUND_SAMPLE_NANOS) {
      return;
    }
    lastOutboundTick = tick;
    Set<Integer> ports = Set.of(server.actualPort());
    vertx.executeBlocking(() -> {
      long now = System.nanoTime();
      long interval = now - lastOutboundSample;
      // After a quiet spell (no sample for a while), what a client read over it says nothing of its rate
      // now: bytes written a moment ago over a long interval would look very late. Such a sample only
      // sets each client's baseline; the next one, a second later at most, measures.
      boolean baseline = lastOutboundSample == 0 || interval > 2 * CALM_OUTBOUND_SAMPLE_NANOS;
      lastOutboundSample = now;
      Map<String, Long> kernelQueues = SendQueues.byPeer(ports);
      long typicalLag = bridge.connections().typicalOutboundLagNanos(kernelQueues, interval);
      lag.outbound(kernelQueues.values().stream().mapToLong(Long::longValue).sum(), baseline ? 0 : typicalLag);
      return null;
    }, true); // one sample at a time, in order
  }

  /** {@code /metrics} on a port of its own, when configured, so the proxy in front never exposes it. */
  private Future<Void> startMetricsServer() {
    if (!config.metrics().enabled() || !config.metrics().separatePort()) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get(HubServerVerticle.METRICS).handler(PrometheusScrapingHandler.create(registry));
    return vertx.createHttpServer(new HttpServerOptions().setHost(config.metrics().host()).setPort(config.metrics().port()))
        .requestHandler(router).listen()
        .onSuccess(server -> metricsPort = server.actualPort())
        .mapEmpty();
  }

  /** Hubs in the cluster as this instance sees them (other Vert.x services may be members too); 1 when clustering is off. */
  public int clusterMembers() {
    return hubMembers == null ? 1 : hubMembers.count();
  }

  /** The port serving /metrics: the client port unless metrics have their own. */
  public int metricsPort() {
    return config.metrics().separatePort() ? metricsPort : port();
  }

  public HubMetrics metrics() {
    return metrics;
  }

  private Future<Authenticator> openSessions() {
    if (config.auth().mode() == HubConfig.AuthMode.ANONYMOUS) {
      log.warn("auth.mode is anonymous: clients connect without a login session");
      return Future.succeededFuture(new Authenticator(config.auth(), null, config.http().trustedProxies()));
    }
    return Database.open(vertx, config.database()).compose(db -> {
      database = db;
      sessions = new SessionStore(vertx, db.pool(), config.auth(), config.database(), metrics);
      revocation = new SessionRevocation(vertx, config.auth(), sessions, bridge.connections());
      return revocation.start();
    }).map(v -> new Authenticator(config.auth(), sessions, config.http().trustedProxies()));
  }

  /** Null in anonymous mode. */
  public SessionStore sessions() {
    return sessions;
  }

  /** Null in anonymous mode. */
  public SessionRevocation revocation() {
    return revocation;
  }

  /** Null in anonymous mode. */
  public Database database() {
    return database;
  }

  public int port() {
    return firstServer.get().actualPort();
  }

  public Bridge bridge() {
    return bridge;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop: readiness turns false, every client is told to reconnect ({@code 4000}) with a token
   * to resume elsewhere, and Vert.x closes once the clients are gone and have resumed (or their
   * {@code shutdown.handoverSeconds} are up), or {@code shutdown.drainSeconds} have passed.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      int clients = bridge.connections().count();
      log.info("Draining: telling {} clients to reconnect elsewhere (at most {} s)", clients,
          config.shutdown().drainSeconds());
      stopped = bridge.drain()
          .timeout(Math.max(1, config.shutdown().drainSeconds()), TimeUnit.SECONDS)
          .onSuccess(v -> log.info("Drain complete: {} clients resumed elsewhere, {} did not come back in time",
              bridge.handover().resumedCount(), bridge.handover().notResumedCount()))
          .recover(e -> {
            log.warn("Drain time over with {} clients still connected; closing them", bridge.connections().count());
            return Future.succeededFuture();
          })
          .compose(v -> database == null ? Future.succeededFuture() : database.close().otherwiseEmpty())
          .compose(v -> {
            vertx.cancelTimer(outboundSampling); // its samples run on workers, which close with Vert.x
            return vertx.close();
          });
    }
    return stopped;
  }
}
