package io.eventhub.config;

import io.eventhub.tls.TlsPreflight;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The hub's whole configuration: loaded once by {@link ConfigLoader}, validated, immutable. Each part
 * of the hub receives the section it needs.
 */
public record HubConfig(Http http, Tls tls, Cluster cluster, Auth auth, Database database, Bridge bridge, Publish publish, Metrics metrics,
                        Shutdown shutdown, History history, Presence presence) {

  /**
   * The client-facing HTTP server. {@code instances} is the number of server verticles.
   * {@code trustedProxies}: addresses or ranges of the proxies (Apache) whose X-Forwarded-For / -Host
   * the hub believes; from anyone else those headers are ignored. {@code maxConnectionsPerUser} bounds
   * one user's connections (authenticated), {@code maxConnectionsPerAddress} one client address's
   * (anonymous); {@code maxFailedHandshakesPerMinute} is a client address's budget of refused
   * handshakes (unknown sessions) before it gets 429. {@code sendBufferBytes}: each socket's kernel
   * send buffer (SO_SNDBUF); 0 for {@code bridge.writeQueueMaxBytes}. {@code transport}: see {@link IoTransport}.
   */
  public record Http(String host, int port, int instances, int idleTimeoutSeconds, int maxConnections,
                     TrustedProxies trustedProxies, int maxConnectionsPerUser, int maxConnectionsPerAddress,
                     int maxFailedHandshakesPerMinute, int sendBufferBytes, IoTransport transport) {
    /** The SO_SNDBUF each client socket gets: what may wait in the kernel for one client is bounded and known. */
    public int effectiveSendBufferBytes(Bridge bridge) {
      return sendBufferBytes > 0 ? sendBufferBytes : bridge.writeQueueMaxBytes();
    }
  }

  /**
   * Netty's I/O transport for every socket: {@code epoll} (Linux's native one; Java NIO where there is
   * none), {@code io_uring} (Linux 5.1+; refused at start where the kernel does not offer it) or
   * {@code nio}.
   */
  public enum IoTransport { EPOLL, IO_URING, NIO }

  /** TLS terminated by the hub itself (without Apache in front): PEM certificate chain and PKCS#8 key. */
  public record Tls(boolean enabled, String certFile, String keyFile) {}

  public enum Discovery { STATIC, KUBERNETES }

  /**
   * Clustering over Hazelcast. {@code host} is the interface both the event bus and Hazelcast bind
   * to; {@code publicHost} what other members use to reach this one (a pod IP), empty for host.
   */
  public record Cluster(
      boolean enabled,
      String name,
      String host,
      String publicHost,
      int eventBusPort,
      int hazelcastPort,
      Discovery discovery,
      List<String> members,
      String kubernetesServiceDns,
      boolean liteMember) {
    public String advertisedHost() {
      return publicHost.isEmpty() ? host : publicHost;
    }
  }

  public enum AuthMode { SESSION, ANONYMOUS }

  public enum SessionPreset { PLAIN, LARAVEL, SYMFONY, CUSTOM }

  public enum DataFormat { PHP, PHP_SERIALIZE }

  /**
   * Where a connection's login session comes from and how it is checked. {@code cookie} and
   * {@code queryParam} are names, empty to switch that source off.
   */
  public record Auth(
      AuthMode mode,
      String cookie,
      String queryParam,
      boolean bearer,
      Pattern idPattern,
      List<String> allowedOrigins,
      int cacheSeconds,
      int negativeCacheSeconds,
      int cacheMaxEntries,
      int revalidateSeconds,
      String revocationAddress,
      Session session) {}

  /** What a valid session is: a preset table layout, or a custom query with one parameter. */
  public record Session(
      SessionPreset preset,
      String query,
      String table,
      String idColumn,
      String userColumn,
      String rolesColumn,
      String expiresColumn,
      String dataColumn,
      DataFormat dataFormat,
      String dataKey,
      int lifetimeSeconds) {}

  /** The application's MySQL/MariaDB database, or an embedded MariaDB started by the hub. */
  public record Database(
      boolean embedded,
      String embeddedDataDir,
      String host,
      int port,
      String name,
      String user,
      String password,
      int poolSize,
      int connectTimeoutMillis,
      int queryTimeoutMillis) {}

  /** Which addresses clients may use; patterns use {@code *} and the {@code {userId}} placeholder. */
  public record Permissions(List<String> subscribe, List<String> publish, List<String> send) {}

  public enum SlowConsumerPolicy { DROP, DISCONNECT }

  /** The event bus bridge: permissions and the per-connection limits. */
  public record Bridge(
      Permissions permissions,
      int maxFrameBytes,
      int maxSubscriptionsPerConnection,
      int maxMessagesPerSecond,
      int writeQueueMaxBytes,
      int flushIntervalMillis,
      int maxFlushIntervalMillis,
      int maxDeliveryLagMillis,
      SlowConsumerPolicy slowConsumerPolicy,
      int replyTimeoutMillis,
      int heartbeatMillis,
      int sessionTimeoutMillis) {}

  /** The back-end publish API; an empty token switches it off. */
  public record Publish(String token, int maxBodyBytes, int maxBatchSize) {
    public boolean enabled() {
      return !token.isEmpty();
    }
  }

  /**
   * {@code GET /metrics} in the Prometheus format: on the client port ({@code port} -1), or on a port
   * of its own so that the proxy in front never exposes it.
   */
  public record Metrics(boolean enabled, String host, int port) {
    public boolean separatePort() {
      return port >= 0;
    }
  }

  /**
   * How long a SIGTERM may take: clients are told to reconnect, then the process exits.
   * {@code handoverSeconds}: how long a draining instance keeps the events of each closed client for
   * it to resume on another instance (0: no handover); never longer than the drain.
   */
  public record Shutdown(int drainSeconds, int handoverSeconds) {
    public int effectiveHandoverSeconds() {
      return Math.min(handoverSeconds, drainSeconds);
    }
  }

  /**
   * Per-address history: an address matching a stream's pattern (first match wins) keeps its last
   * {@code size} events for at most {@code ttlSeconds}, and each of its events gets a position.
   */
  public record History(List<Stream> streams) {}

  /** {@code pattern} as in permissions ({@code *}, {@code **}; {@code {userId}} stands for one segment). */
  public record Stream(String pattern, int size, int ttlSeconds) {}

  /**
   * Who is subscribed where: the subscribers of addresses matching {@code patterns} (as in permissions)
   * are tracked per user across the cluster; past {@code maxUsers} users on one address, presence
   * reports counts only. A user's last connection leaving is reported {@code graceSeconds} later,
   * unless the user is back by then (a reconnect, a rolling restart): no leave+join flap.
   */
  public record Presence(List<String> patterns, int maxUsers, int graceSeconds) {
    public boolean enabled() {
      return !patterns.isEmpty();
    }
  }

  static final int MAX_PRESENCE_USERS = 1_000_000;
  static final int MAX_PRESENCE_GRACE_SECONDS = 3600;

  static final int MAX_STREAM_SIZE = 100_000;
  static final int MAX_STREAM_TTL_SECONDS = 30 * 86_400;

  static final int MIN_TOKEN_LENGTH = 16;

  static HubConfig read(ConfigReader in) {
    Http http = new Http(
        in.string("http.host"),
        in.intIn("http.port", 0, 65535),
        resolveInstances(in.intIn("http.instances", 0, 256)),
        in.intIn("http.idleTimeoutSeconds", 0, 86_400),
        in.intIn("http.maxConnections", 1, 10_000_000),
        TrustedProxies.of(in.strings("http.trustedProxies"),
            (i, why) -> in.problem("http.trustedProxies[" + i + "]", why)),
        in.intIn("http.maxConnectionsPerUser", 1, 10_000_000),
        in.intIn("http.maxConnectionsPerAddress", 1, 10_000_000),
        in.intIn("http.maxFailedHandshakesPerMinute", 1, 10_000_000),
        in.intIn("http.sendBufferBytes", 0, 64 * 1024 * 1024),
        in.enumValue("http.transport", IoTransport.class));
    if (http.sendBufferBytes() > 0 && http.sendBufferBytes() < 4096) {
      in.problem("http.sendBufferBytes", "must be 0 (as bridge.writeQueueMaxBytes) or at least 4096");
    }
    Bridge bridge = new Bridge(
        new Permissions(
            in.addressPatterns("bridge.permissions.subscribe"),
            in.addressPatterns("bridge.permissions.publish"),
            in.addressPatterns("bridge.permissions.send")),
        in.intIn("bridge.maxFrameBytes", 256, 16 * 1024 * 1024),
        in.intIn("bridge.maxSubscriptionsPerConnection", 1, 100_000),
        in.intIn("bridge.maxMessagesPerSecond", 1, 1_000_000),
        in.intIn("bridge.writeQueueMaxBytes", 1024, 256 * 1024 * 1024),
        in.intIn("bridge.flushIntervalMillis", 0, 1000),
        in.intIn("bridge.maxFlushIntervalMillis", 0, 1000),
        in.intIn("bridge.maxDeliveryLagMillis", 10, 600_000),
        in.enumValue("bridge.slowConsumerPolicy", SlowConsumerPolicy.class),
        in.intIn("bridge.replyTimeoutMillis", 100, 600_000),
        in.intIn("bridge.heartbeatMillis", 100, 600_000),
        in.intIn("bridge.sessionTimeoutMillis", 100, 3_600_000));
    Tls tls = readTls(in);
    Cluster cluster = readCluster(in);
    Auth auth = readAuth(in);
    Database database = new Database(
        in.bool("database.embedded"),
        in.string("database.embeddedDataDir"),
        in.string("database.host"),
        in.intIn("database.port", 1, 65535),
        in.identifier("database.name"),
        in.string("database.user"),
        in.string("database.password"),
        in.intIn("database.poolSize", 1, 1000),
        in.intIn("database.connectTimeoutMillis", 100, 120_000),
        in.intIn("database.queryTimeoutMillis", 100, 120_000));
    if (auth.mode() == AuthMode.SESSION && !database.embedded() && database.host().isBlank()) {
      in.problem("database.host", "must name the MySQL/MariaDB server (or set database.embedded to true)");
    }
    Publish publish = new Publish(
        in.string("publish.token"),
        in.intIn("publish.maxBodyBytes", 256, 16 * 1024 * 1024),
        in.intIn("publish.maxBatchSize", 1, 10_000));
    if (publish.enabled() && publish.token().length() < MIN_TOKEN_LENGTH) {
      in.problem("publish.token", "must be at least " + MIN_TOKEN_LENGTH
          + " characters (or empty to switch the publish API off)");
    }
    if (http.host().isBlank()) {
      in.problem("http.host", "must name an interface address, e.g. 0.0.0.0 or 127.0.0.1");
    }
    Metrics metrics = new Metrics(in.bool("metrics.enabled"), in.string("metrics.host"), in.intIn("metrics.port", -1, 65535));
    Shutdown shutdown = new Shutdown(in.intIn("shutdown.drainSeconds", 0, 3600), in.intIn("shutdown.handoverSeconds", 0, 3600));
    Presence presence = new Presence(in.addressPatterns("presence.patterns"),
        in.intIn("presence.maxUsers", 0, MAX_PRESENCE_USERS), in.intIn("presence.graceSeconds", 0, MAX_PRESENCE_GRACE_SECONDS));
    return new HubConfig(http, tls, cluster, auth, database, bridge, publish, metrics, shutdown, readHistory(in), presence);
  }

  private static History readHistory(ConfigReader in) {
    List<Stream> streams = new ArrayList<>();
    List<JsonObject> items = in.objects("history.streams");
    for (int i = 0; i < items.size(); i++) {
      String at = "history.streams[" + i + "]";
      ConfigReader item = in.child(items.get(i), at, List.of("pattern", "size", "ttlSeconds"));
      String pattern = item.string("pattern");
      item.addressPattern("pattern", pattern);
      streams.add(new Stream(pattern, item.intIn("size", 1, MAX_STREAM_SIZE),
          item.intIn("ttlSeconds", 1, MAX_STREAM_TTL_SECONDS)));
    }
    return new History(List.copyOf(streams));
  }

  /** The PEM files are checked here, so a broken one stops the start with a message naming file and line. */
  private static Tls readTls(ConfigReader in) {
    Tls tls = new Tls(in.bool("tls.enabled"), in.string("tls.certFile"), in.string("tls.keyFile"));
    if (!tls.enabled()) {
      return tls;
    }
    if (tls.certFile().isBlank() || tls.keyFile().isBlank()) {
      in.problem(tls.certFile().isBlank() ? "tls.certFile" : "tls.keyFile", "must name a PEM file when tls.enabled is true");
      return tls;
    }
    TlsPreflight.Report report = TlsPreflight.check(List.of(Path.of(tls.certFile()), Path.of(tls.keyFile())));
    report.problems().forEach(problem -> in.problem("tls", problem));
    if (report.ok() && report.results().get(0).certificates().isEmpty()) {
      in.problem("tls.certFile", tls.certFile() + " holds no certificate");
    }
    if (report.ok() && report.results().get(1).key() == null) {
      in.problem("tls.keyFile", tls.keyFile() + " holds no private key");
    }
    return tls;
  }

  private static Cluster readCluster(ConfigReader in) {
    Cluster cluster = new Cluster(
        in.bool("cluster.enabled"),
        in.string("cluster.name"),
        in.string("cluster.host"),
        in.string("cluster.publicHost"),
        in.intIn("cluster.eventBusPort", 0, 65535),
        in.intIn("cluster.hazelcastPort", 1, 65535),
        in.enumValue("cluster.discovery", Discovery.class),
        in.strings("cluster.members"),
        in.string("cluster.kubernetesServiceDns"),
        in.bool("cluster.liteMember"));
    if (cluster.enabled()) {
      if (cluster.discovery() == Discovery.STATIC && cluster.members().isEmpty()) {
        in.problem("cluster.members", "with discovery static, list at least one member as host:port");
      }
      for (String member : cluster.members()) {
        if (!MEMBER.matcher(member).matches()) {
          in.problem("cluster.members", "\"" + member + "\" is not host:port");
        }
      }
      if (cluster.discovery() == Discovery.KUBERNETES && cluster.kubernetesServiceDns().isBlank()) {
        in.problem("cluster.kubernetesServiceDns", "with discovery kubernetes, name the headless Service, e.g. "
            + "event-hub-hazelcast.default.svc.cluster.local");
      }
      if (cluster.host().isBlank()) {
        in.problem("cluster.host", "must name the interface the cluster binds to");
      }
    }
    return cluster;
  }

  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}");

  private static Auth readAuth(ConfigReader in) {
    AuthMode mode = in.enumValue("auth.mode", AuthMode.class);
    List<String> origins = in.strings("auth.allowedOrigins");
    for (String origin : origins) {
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        in.problem("auth.allowedOrigins", "\"" + origin + "\" is not an origin like https://app.example.com[:port], nor *");
      }
    }
    SessionPreset preset = in.enumValue("auth.session.preset", SessionPreset.class);
    String query = in.string("auth.session.query");
    if (preset == SessionPreset.CUSTOM && query.chars().filter(c -> c == '?').count() != 1) {
      in.problem("auth.session.query", "with preset custom, must be a SELECT with exactly one ? (the session id)"
          + " returning user id[, roles[, expiry as epoch seconds]]");
    }
    Session session = new Session(
        preset,
        query,
        in.identifier("auth.session.table"),
        in.identifier("auth.session.idColumn"),
        in.optionalIdentifier("auth.session.userColumn"),
        in.optionalIdentifier("auth.session.rolesColumn"),
        in.optionalIdentifier("auth.session.expiresColumn"),
        in.optionalIdentifier("auth.session.dataColumn"),
        in.enumValue("auth.session.dataFormat", DataFormat.class),
        in.string("auth.session.dataKey"),
        in.intIn("auth.session.lifetimeSeconds", 1, 365 * 86_400));
    if (preset == SessionPreset.PLAIN && session.userColumn().isEmpty() && session.dataColumn().isEmpty()) {
      in.problem("auth.session.userColumn", "set userColumn, or dataColumn with dataKey, so a user id can be found");
    }
    return new Auth(
        mode,
        in.string("auth.cookie"),
        in.string("auth.queryParam"),
        in.bool("auth.bearer"),
        in.regex("auth.idPattern"),
        origins,
        in.intIn("auth.cacheSeconds", 0, 86_400),
        in.intIn("auth.negativeCacheSeconds", 0, 86_400),
        in.intIn("auth.cacheMaxEntries", 1, 10_000_000),
        in.intIn("auth.revalidateSeconds", 0, 86_400),
        in.string("auth.revocationAddress"),
        session);
  }

  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\-]+(:\\d{1,5})?");

  private static int resolveInstances(int configured) {
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }
}
