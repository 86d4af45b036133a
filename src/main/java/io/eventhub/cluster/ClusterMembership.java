package io.eventhub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's place in the cluster: whether it can serve (for readiness) and one log line per
 * member that joins or leaves.
 *
 * <p>A member serves while its Hazelcast runs and it is not merging back after a split. A peer's death
 * does not change that: the survivors go on delivering between themselves while Hazelcast promotes the
 * backups of the dead member's partitions (Vert.x's {@code ClusterHealthCheck} reports that migration
 * as "not safe", which took every survivor out of service at once for about a second). Only a member
 * that has just joined waits until the partitions are safe once, so that a rolling update does not
 * stop the next old member before the subscription table has its backups again.
 */
public final class ClusterMembership {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  /** How often a joining member asks whether the partitions are safe, until they are. */
  private static final long SETTLE_CHECK_MILLIS = 500;

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final HazelcastInstance hazelcast;
  private volatile boolean merging;
  private volatile boolean settled;

  private ClusterMembership(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.manager = manager;
    this.hazelcast = manager.getHazelcastInstance();
  }

  /** The membership of a clustered Vert.x that has joined; null when clustering is off. */
  public static ClusterMembership of(Vertx vertx) {
    if (!(vertx instanceof VertxInternal internal) || !(internal.clusterManager() instanceof HazelcastClusterManager hz)) {
      return null;
    }
    ClusterMembership membership = new ClusterMembership(vertx, hz);
    membership.start();
    return membership;
  }

  private void start() {
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        log.info("Cluster member {} joined; {} members, master {}", address(event.getMember()), event.getMembers().size(),
            master(event));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        // The one line for an expected event: Hazelcast's and Vert.x's own reports of the broken
        // connections are kept out of the log (logback.xml, PeerLossLogFilter).
        PeerLossLogFilter.memberLeft();
        log.warn("Cluster member {} left the cluster; {} members remain, master {}", address(event.getMember()),
            event.getMembers().size(), master(event));
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(this::lifecycle);
    awaitSettled();
  }

  private void lifecycle(LifecycleEvent event) {
    switch (event.getState()) {
      case MERGING -> merging = true;
      case MERGED, MERGE_FAILED -> merging = false;
      default -> { }
    }
  }

  private void awaitSettled() {
    vertx.executeBlocking(() -> hazelcast.getLifecycleService().isRunning() && hazelcast.getPartitionService().isClusterSafe(), false)
        .onComplete(safe -> {
          if (safe.succeeded() && safe.result()) {
            settled = true;
          } else if (hazelcast.getLifecycleService().isRunning()) {
            vertx.setTimer(SETTLE_CHECK_MILLIS, id -> awaitSettled());
          }
        });
  }

  /** Why this member cannot take clients now, or null when it can; answers at once, without asking the other members. */
  public String unavailable() {
    if (!manager.isActive() || !hazelcast.getLifecycleService().isRunning()) {
      return "out of the cluster: Hazelcast is not running";
    }
    if (merging) {
      return "merging back into the cluster after a split";
    }
    if (!settled) {
      return "joining: the cluster's partitions are still migrating";
    }
    return null;
  }

  /** Hazelcast's master is the oldest member, first in every member list. */
  private static String master(MembershipEvent event) {
    return event.getMembers().stream().findFirst().map(ClusterMembership::address).orElse("none");
  }

  private static String address(Member member) {
    return member.getAddress().getHost() + ":" + member.getAddress().getPort();
  }
}
