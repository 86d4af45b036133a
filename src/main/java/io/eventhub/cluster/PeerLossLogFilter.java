package io.eventhub.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.net.ConnectException;

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
 *     partition table sent just before its removal.</li>
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

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN)) {
      return FilterReply.NEUTRAL;
    }
    return switch (logger.getName()) {
      case EVENT_BUS -> format.startsWith("Connecting to server ") && peerGone(t) ? FilterReply.DENY : FilterReply.NEUTRAL;
      case CONNECTION -> format.endsWith("Connection reset by peer") ? FilterReply.DENY : FilterReply.NEUTRAL;
      case MEMBERSHIP -> format.contains(" is suspected to be dead for reason: No connection") ? FilterReply.DENY : FilterReply.NEUTRAL;
      case OPERATIONS -> format.contains("] Not Member! target: ") ? FilterReply.DENY : FilterReply.NEUTRAL;
      case CLUSTER -> format.contains("] Mastership of ") && format.contains(" is accepted.") ? FilterReply.DENY : FilterReply.NEUTRAL;
      case PARTITIONS -> format.contains("] Following unknown addresses are found in partition table") ? FilterReply.DENY : FilterReply.NEUTRAL;
      default -> FilterReply.NEUTRAL;
    };
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
