package io.eventhub.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.net.ConnectException;
import java.util.concurrent.TimeUnit;

/**
 * Drops what Vert.x and Hazelcast log, on every survivor, about the broken connections of a member
 * that died (stack traces, mostly), and nothing else; named in {@code logback.xml}.
 * {@link ClusterMembership} says in one line that the member left.
 *
 * <p>Each entry names one logger and the one message that a peer's death makes it write; the rest of
 * those loggers passes, since they also report what would be a real problem (Hazelcast's split-brain
 * and invocation warnings, Vert.x's event-bus connections that time out or are misaddressed):
 * <ul>
 * <li>Vert.x's clustered event bus, {@code Connecting to server ... failed} with the connection
 *     refused (the process is gone) or {@code Not a member of the cluster} (it has been removed, and
 *     a publish still had it among the subscribers): a warning with a stack trace per attempt;</li>
 * <li>Vert.x's connections without an exception handler (the event-bus server's inbound ones),
 *     {@code recvAddress(..) failed ... Connection reset by peer}, as an error;</li>
 * <li>Hazelcast's membership manager, {@code is suspected to be dead for reason: No connection}, the
 *     step before the removal that {@link ClusterMembership} reports;</li>
 * <li>Hazelcast's operation service, {@code Not Member! target: ...}, an operation sent to the member
 *     as it left, which Hazelcast retries on the others;</li>
 * <li>Hazelcast's cluster service, {@code Mastership of ... is accepted}, when the member that died was
 *     the master (the oldest) and the next one takes over: {@link ClusterMembership}'s line names the master;</li>
 * <li>Hazelcast's partition service, {@code Following unknown addresses are found in partition table}
 *     ("probably they have recently joined or left the cluster", it adds), the dead member still in a
 *     partition table sent just before its removal;</li>
 * <li>Hazelcast's migrations in the minute after a member left ({@link #memberLeft()}, or one of the
 *     messages above): {@code Failure while executing MigrationInfo} with a partition stamp mismatch and
 *     {@code Migration failed}, a migration planned before the departure that met the partition table
 *     as it is after; the master plans it again. At any other time they pass.</li>
 * </ul>
 * Hazelcast's two connection loggers, which report nothing but connection errors, are quieted by level
 * in {@code logback.xml}.
 */
public final class PeerLossLogFilter extends TurboFilter {
  static final String EVENT_BUS = "io.vertx.core.eventbus.impl.clustered.ClusteredEventBus";
  static final String CONNECTION = "io.vertx.core.net.impl.ConnectionBase";
  static final String MEMBERSHIP = "com.hazelcast.internal.cluster.impl.MembershipManager";
  static final String OPERATIONS = "com.hazelcast.spi.impl.operationservice.OperationService";
  static final String CLUSTER = "com.hazelcast.internal.cluster.ClusterService";
  static final String PARTITIONS = "com.hazelcast.internal.partition.InternalPartitionService";
  static final String MIGRATION = "com.hazelcast.internal.partition.operation.MigrationRequestOperation";
  static final String MIGRATIONS = "com.hazelcast.internal.partition.impl.MigrationManager";
  private static final long DEPARTURE_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** When a member was last seen leaving (nanoTime), or never. */
  private static volatile long lastDepartureNanos = System.nanoTime() - 2 * DEPARTURE_WINDOW_NANOS;

  /** A member left the cluster: the migrations that follow are its consequence for a while. */
  public static void memberLeft() {
    lastDepartureNanos = System.nanoTime();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN)) {
      return FilterReply.NEUTRAL;
    }
    boolean departure = switch (logger.getName()) {
      case MEMBERSHIP -> format.contains(" is suspected to be dead for reason: No connection");
      case OPERATIONS -> format.contains("] Not Member! target: ");
      case CLUSTER -> format.contains("] Mastership of ") && format.contains(" is accepted.");
      case PARTITIONS -> format.contains("] Following unknown addresses are found in partition table");
      default -> false;
    };
    if (departure) {
      memberLeft();
      return FilterReply.DENY;
    }
    boolean peerLoss = switch (logger.getName()) {
      case EVENT_BUS -> format.startsWith("Connecting to server ") && peerGone(t);
      case CONNECTION -> format.endsWith("Connection reset by peer");
      case MIGRATION -> format.contains("] Failure while executing MigrationInfo") && stampMismatch(t) && afterDeparture();
      case MIGRATIONS -> format.contains("] Migration failed: MigrationInfo") && afterDeparture();
      default -> false;
    };
    return peerLoss ? FilterReply.DENY : FilterReply.NEUTRAL;
  }

  /** For tests: as if no member had ever left. */
  static void forgetDepartures() {
    lastDepartureNanos = System.nanoTime() - 2 * DEPARTURE_WINDOW_NANOS;
  }

  private static boolean afterDeparture() {
    return System.nanoTime() - lastDepartureNanos < DEPARTURE_WINDOW_NANOS;
  }

  /** Hazelcast's own name for a partition table that changed under a migration (an internal class). */
  private static boolean stampMismatch(Throwable t) {
    return t != null && t.getClass().getName().equals("com.hazelcast.internal.partition.PartitionStateVersionMismatchException");
  }

  /** Refused: nothing listens there any more. Not a member: Hazelcast has removed it already. */
  private static boolean peerGone(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).contains("Connection refused")
          || "Not a member of the cluster".equals(cause.getMessage())) {
        return true;
      }
    }
    return false;
  }
}
