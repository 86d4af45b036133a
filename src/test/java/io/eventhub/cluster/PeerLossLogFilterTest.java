package io.eventhub.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The filter drops what a peer's death makes each logger say, and lets the same loggers' other reports through. */
class PeerLossLogFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final PeerLossLogFilter filter = new PeerLossLogFilter();

  private FilterReply decide(String logger, Level level, String message, Throwable t) {
    return filter.decide(null, context.getLogger(logger), level, message, null, t);
  }

  @Test
  @DisplayName("a dead peer's refused or unknown event-bus connection is dropped; a timeout or another failure passes")
  void eventBus() {
    String message = "Connecting to server 53230089-007d-4892-bc9c-a1f2cb947971 failed";
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.EVENT_BUS, Level.WARN, message,
        new ConnectException("finishConnect(..) failed with error(-111): Connection refused")));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.EVENT_BUS, Level.WARN, message,
        new VertxException("Not a member of the cluster", true)));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.EVENT_BUS, Level.WARN, message,
        new ConnectTimeoutException("connection timed out after 60000 ms: /10.0.0.7:5710")));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.EVENT_BUS, Level.WARN, message, new IllegalStateException("boom")));
  }

  @Test
  @DisplayName("Hazelcast's warnings pass unless they are the ones a member's departure causes")
  void hazelcast() {
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.MEMBERSHIP, Level.WARN,
        "[127.0.0.1]:42959 [event-hub] [5.3.8] Member [127.0.0.1]:43785 - 1089a46b is suspected to be dead for reason: No connection", null));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.MEMBERSHIP, Level.WARN,
        "[127.0.0.1]:42959 [event-hub] [5.3.8] Ignoring member list update from [127.0.0.1]:43785 because this node is not master", null));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.OPERATIONS, Level.WARN,
        "[127.0.0.1]:42959 [event-hub] [5.3.8] Not Member! target: [127.0.0.1]:43785, partitionId: -1, operation: x", null));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.OPERATIONS, Level.WARN,
        "[127.0.0.1]:42959 [event-hub] [5.3.8] Invocation timed out", null));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.CLUSTER, Level.WARN,
        "[127.0.0.1]:36973 [event-hub] [5.3.8] Mastership of [127.0.0.1]:44273 is accepted. Response: MembersView{}", null));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.PARTITIONS, Level.WARN,
        "[127.0.0.1]:36973 [event-hub] [5.3.8] Following unknown addresses are found in partition table sent from master", null));
  }

  @Test
  @DisplayName("a failed migration is dropped in the minute after a member left, and passes at any other time")
  void migrations() {
    String failure = "[127.0.0.1]:36419 [event-hub] [5.3.8] Failure while executing MigrationInfo{partitionId=0}";
    String failed = "[127.0.0.1]:36419 [event-hub] [5.3.8] Migration failed: MigrationInfo{partitionId=0}";
    Throwable mismatch = new com.hazelcast.internal.partition.PartitionStateVersionMismatchException(5, 7);
    PeerLossLogFilter.forgetDepartures();
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.MIGRATION, Level.WARN, failure, mismatch));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.MIGRATIONS, Level.WARN, failed, null));
    PeerLossLogFilter.memberLeft();
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.MIGRATION, Level.WARN, failure, mismatch));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.MIGRATIONS, Level.WARN, failed, null));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.MIGRATION, Level.WARN, failure, new IllegalStateException("boom")));
    PeerLossLogFilter.forgetDepartures();
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.MEMBERSHIP, Level.WARN,
        "[127.0.0.1]:42959 [event-hub] [5.3.8] Member [127.0.0.1]:43785 - 1089a46b is suspected to be dead for reason: No connection", null));
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.MIGRATIONS, Level.WARN, failed, null), "Hazelcast's own word that a member is gone counts too");
    PeerLossLogFilter.forgetDepartures();
  }

  @Test
  @DisplayName("a connection reset is dropped; Vert.x's other unhandled connection errors, and other loggers, pass")
  void connectionsAndOthers() {
    assertEquals(FilterReply.DENY, decide(PeerLossLogFilter.CONNECTION, Level.ERROR,
        "recvAddress(..) failed with error(-104): Connection reset by peer", null));
    assertEquals(FilterReply.NEUTRAL, decide(PeerLossLogFilter.CONNECTION, Level.ERROR, "Received an invalid frame", null));
    assertEquals(FilterReply.NEUTRAL, decide("io.eventhub.Hub", Level.WARN, "Connection reset by peer", null));
  }
}
