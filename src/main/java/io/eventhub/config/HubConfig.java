package io.eventhub.config;

import java.util.List;
import java.util.Set;

/**
 * The hub's whole configuration: loaded once by {@link ConfigLoader}, validated, immutable. Each part
 * of the hub receives the section it needs.
 */
public record HubConfig(Http http, Bridge bridge, Publish publish, Shutdown shutdown) {

  /** The client-facing HTTP server. {@code instances} is the number of server verticles. */
  public record Http(String host, int port, int instances, int idleTimeoutSeconds) {}

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

  /** How long a SIGTERM may take: clients are told to reconnect, then the process exits. */
  public record Shutdown(int drainSeconds) {}

  static final int MIN_TOKEN_LENGTH = 16;

  static HubConfig read(ConfigReader in) {
    Http http = new Http(
        in.string("http.host"),
        in.intIn("http.port", 0, 65535),
        resolveInstances(in.intIn("http.instances", 0, 256)),
        in.intIn("http.idleTimeoutSeconds", 0, 86_400));
    Bridge bridge = new Bridge(
        new Permissions(
            in.addressPatterns("bridge.permissions.subscribe"),
            in.addressPatterns("bridge.permissions.publish"),
            in.addressPatterns("bridge.permissions.send")),
        in.intIn("bridge.maxFrameBytes", 256, 16 * 1024 * 1024),
        in.intIn("bridge.maxSubscriptionsPerConnection", 1, 100_000),
        in.intIn("bridge.maxMessagesPerSecond", 1, 1_000_000),
        in.intIn("bridge.writeQueueMaxBytes", 1024, 256 * 1024 * 1024),
        SlowConsumerPolicy.valueOf(
            in.oneOf("bridge.slowConsumerPolicy", Set.of("drop", "disconnect")).equals("drop")
                ? "DROP" : "DISCONNECT"),
        in.intIn("bridge.replyTimeoutMillis", 100, 600_000),
        in.intIn("bridge.heartbeatMillis", 100, 600_000),
        in.intIn("bridge.sessionTimeoutMillis", 100, 3_600_000));
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
    Shutdown shutdown = new Shutdown(in.intIn("shutdown.drainSeconds", 0, 3600));
    return new HubConfig(http, bridge, publish, shutdown);
  }

  private static int resolveInstances(int configured) {
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }
}
