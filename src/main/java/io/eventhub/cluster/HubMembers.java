package io.eventhub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster members that are hubs (other Vert.x services may join the same cluster), and the one of
 * them that looks after a given key: picked by rendezvous hashing over the hubs' member ids, so every
 * member agrees on it from the member list alone, and when a hub joins or leaves only the keys it
 * takes or held move.
 */
public final class HubMembers {
  /** The Hazelcast member attribute that marks a hub (set by {@link Clustering}). */
  static final String ATTRIBUTE = "event-hub";

  private final HazelcastInstance hazelcast;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile List<UUID> hubs = List.of();

  private HubMembers(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  public static HubMembers of(HazelcastInstance hazelcast) {
    HubMembers members = new HubMembers(hazelcast);
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        members.refresh();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        members.refresh();
      }
    });
    members.refresh();
    return members;
  }

  private void refresh() {
    hubs = hazelcast.getCluster().getMembers().stream()
        .filter(member -> member.getAttribute(ATTRIBUTE) != null).map(Member::getUuid).toList();
    listeners.forEach(Runnable::run);
  }

  /** Calls {@code listener} whenever a member joined or left, on Hazelcast's event thread. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public int count() {
    return hubs.size();
  }

  /** Whether this member is the hub that looks after {@code key} (false when this member is not a hub). */
  public boolean isHomeOf(String key) {
    UUID home = null;
    long best = Long.MIN_VALUE;
    for (UUID hub : hubs) {
      long score = mix(hub.getMostSignificantBits() ^ mix(hub.getLeastSignificantBits() ^ key.hashCode()));
      if (home == null || score > best) {
        home = hub;
        best = score;
      }
    }
    return home != null && home.equals(hazelcast.getCluster().getLocalMember().getUuid());
  }

  /** A 64-bit finalizer (SplitMix64's): nearby inputs give unrelated scores. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
