package io.eventhub.bridge;

import io.eventhub.auth.AuthResult;
import io.eventhub.auth.Identity;
import io.eventhub.auth.SessionConnections;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Every open client connection of this instance, for counting, heartbeats and draining. */
public final class Connections implements SessionConnections {
  private final Set<BridgeConnection> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<BridgeConnection>> bySession = new ConcurrentHashMap<>();
  /** Open connections per user ("u:" + id) and per anonymous client address ("a:" + address). */
  private final Map<String, Integer> perHolder = new ConcurrentHashMap<>();
  private final int maxPerUser;
  private final int maxPerAddress;
  private final AtomicLong droppedFrames = new AtomicLong();
  private final Promise<Void> emptied = Promise.promise();
  private volatile boolean draining;
  private final HubMetrics metrics;

  /** {@code maxPerUser}: connections one user may hold; {@code maxPerAddress}: one anonymous client address. */
  public Connections(HubMetrics metrics, int maxPerUser, int maxPerAddress) {
    this.metrics = metrics;
    this.maxPerUser = maxPerUser;
    this.maxPerAddress = maxPerAddress;
  }

  /**
   * Whether a newcomer with this identity and client address may still open a connection. Checked at
   * the handshake to refuse with 429 before anything is set up; {@link #add} decides for good.
   */
  public boolean roomFor(AuthResult auth) {
    String holder = holder(auth.identity(), auth.clientAddress());
    return holder == null || perHolder.getOrDefault(holder, 0) < max(holder);
  }

  /** False (and nothing counted) when the connection's user or address already holds its limit. */
  boolean add(BridgeConnection connection) {
    String holder = holder(connection.identity(), connection.clientAddress());
    if (holder != null && !reserve(holder)) {
      return false;
    }
    open.add(connection);
    metrics.connectionOpened(connection.transport());
    if (connection.sessionId() != null) {
      bySession.computeIfAbsent(connection.sessionId(), id -> ConcurrentHashMap.newKeySet()).add(connection);
    }
    return true;
  }

  void remove(BridgeConnection connection) {
    if (open.remove(connection)) {
      metrics.connectionClosed(connection.transport());
      String holder = holder(connection.identity(), connection.clientAddress());
      if (holder != null) {
        perHolder.computeIfPresent(holder, (h, n) -> n <= 1 ? null : n - 1);
      }
    }
    if (connection.sessionId() != null) {
      bySession.computeIfPresent(connection.sessionId(), (id, set) -> {
        set.remove(connection);
        return set.isEmpty() ? null : set;
      });
    }
    if (draining && open.isEmpty()) {
      emptied.tryComplete();
    }
  }

  /** Atomic per holder, so that a burst of parallel handshakes cannot overshoot the limit. */
  private boolean reserve(String holder) {
    boolean[] reserved = {false};
    perHolder.compute(holder, (h, n) -> {
      int held = n == null ? 0 : n;
      if (held >= max(h)) {
        return n;
      }
      reserved[0] = true;
      return held + 1;
    });
    return reserved[0];
  }

  private int max(String holder) {
    return holder.startsWith("u:") ? maxPerUser : maxPerAddress;
  }

  /** Who a connection counts against: its user, or its client address when anonymous; null if neither is known. */
  private static String holder(Identity identity, String clientAddress) {
    if (identity != null && !identity.anonymous()) {
      return "u:" + identity.userId();
    }
    return clientAddress == null ? null : "a:" + clientAddress;
  }

  void countDropped(int frames) {
    droppedFrames.addAndGet(frames);
    metrics.dropped("slow_consumer", frames);
  }

  public int count() {
    return open.size();
  }

  /**
   * How late deliveries typically run in the sockets' buffers: the median lag of the connections
   * written to since the last sample ({@link BridgeConnection#outboundLagNanos}), so that a few
   * clients that read slowly (the slow-consumer policy's business) do not count as an overload.
   */
  public long typicalOutboundLagNanos(Map<String, Long> kernelQueues, long intervalNanos) {
    long[] lags = new long[open.size() + 16];
    int count = 0;
    for (BridgeConnection connection : open) {
      long lag = connection.outboundLagNanos(kernelQueues, intervalNanos);
      if (lag >= 0 && count < lags.length) {
        lags[count++] = lag;
      }
    }
    if (count == 0) {
      return 0;
    }
    Arrays.sort(lags, 0, count);
    return lags[(count - 1) / 2]; // the lower median: one slow client of two is not the typical one
  }

  public long droppedFrames() {
    return droppedFrames.get();
  }

  public boolean draining() {
    return draining;
  }

  /** The distinct login sessions of the open connections. */
  @Override
  public Set<String> sessionIds() {
    return Set.copyOf(bySession.keySet());
  }

  /** Closes the connections admitted with one login session (logout, expiry). */
  @Override
  public void closeSession(String sessionId, int code, String reason) {
    Set<BridgeConnection> connections = bySession.getOrDefault(sessionId, Set.of());
    connections.forEach(c -> onItsContext(c, connection -> connection.close(code, reason)));
  }

  /** Closes every connection with the given code and reason, each on its own context. */
  public void closeAll(int code, String reason) {
    onEach(connection -> connection.close(code, reason));
  }

  /** Sends a heartbeat on every connection, each on its own context. */
  public void heartbeat() {
    onEach(BridgeConnection::heartbeat);
  }

  /**
   * Stops taking clients and has {@code closer} close every connection (on its own context); completes
   * when the last connection is gone.
   */
  Future<Void> drain(Consumer<BridgeConnection> closer) {
    draining = true;
    onEach(closer);
    if (open.isEmpty()) {
      emptied.tryComplete();
    }
    return emptied.future();
  }

  /** A connection's state belongs to its event loop: every action on it runs there. */
  private void onEach(Consumer<BridgeConnection> action) {
    open.forEach(c -> onItsContext(c, action));
  }

  private static void onItsContext(BridgeConnection connection, Consumer<BridgeConnection> action) {
    connection.context().runOnContext(v -> action.accept(connection));
  }
}
