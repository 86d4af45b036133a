package io.eventhub.presence;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serial;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Presence kept in the cluster's Hazelcast: one map entry per tracked address with anybody on it,
 * changed only by entry processors on its partition (atomic, one synchronous backup). Each member
 * writes its own counts under its member id; when a member is gone (kill -9: after Hazelcast's
 * failure detection), every survivor prunes the entries of members no longer in the cluster, and the
 * one whose prune takes a user's last connection away sends the leave. Values are held as objects
 * ({@code OBJECT} format), so a change does not deserialize a whole large address.
 */
public final class HazelcastPresence implements PresenceHome {
  private static final Logger log = LoggerFactory.getLogger(HazelcastPresence.class);
  static final String MAP = "hub-presence";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, AddressState> map;
  private volatile String member;

  public HazelcastPresence(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    hazelcast.getConfig().addMapConfig(new MapConfig(MAP).setInMemoryFormat(InMemoryFormat.OBJECT)
        .setBackupCount(1).setAsyncBackupCount(0));
    this.map = hazelcast.getMap(MAP);
    this.member = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  @Override
  public Future<Changes> set(String address, Map<String, Integer> counts) {
    return Future.fromCompletionStage(map.submitToKey(address, new SetCounts(member, new HashMap<>(counts))),
        vertx.getOrCreateContext());
  }

  @Override
  public Future<AddressState> read(String address) {
    return Future.fromCompletionStage(map.getAsync(address), vertx.getOrCreateContext());
  }

  @Override
  public void watchMembers(BiConsumer<String, Changes> gone, Runnable rejoined) {
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        prune(event.getMembers(), gone);
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        // Taken for gone during the split (and maybe with a new id): what is left of the old id goes,
        // and this member's counts are written again.
        member = hazelcast.getCluster().getLocalMember().getUuid().toString();
        prune(hazelcast.getCluster().getMembers(), gone);
        rejoined.run();
      }
    });
  }

  private void prune(Set<Member> live, BiConsumer<String, Changes> gone) {
    Set<String> ids = new HashSet<>();
    live.forEach(m -> ids.add(m.getUuid().toString()));
    vertx.executeBlocking(() -> map.executeOnEntries(new Prune(ids)), false).onComplete(done -> {
      if (done.failed()) {
        log.warn("Could not remove the presence of departed cluster members: {}", done.cause().toString());
        return;
      }
      done.result().forEach((address, changes) -> {
        if (changes != null) {
          gone.accept(address, changes);
        }
      });
    });
  }

  /** One member's counts on one address. */
  static final class SetCounts implements EntryProcessor<String, AddressState, Changes> {
    @Serial
    private static final long serialVersionUID = 1L;
    private final String member;
    private final HashMap<String, Integer> counts;

    SetCounts(String member, HashMap<String, Integer> counts) {
      this.member = member;
      this.counts = counts;
    }

    @Override
    public Changes process(Map.Entry<String, AddressState> entry) {
      AddressState state = entry.getValue() == null ? new AddressState() : entry.getValue();
      Changes changes = state.set(member, counts);
      if (changes != null) {
        entry.setValue(state.isEmpty() ? null : state);
      }
      return changes;
    }
  }

  /** Takes away the counts of every member not in {@code live}. */
  static final class Prune implements EntryProcessor<String, AddressState, Changes> {
    @Serial
    private static final long serialVersionUID = 1L;
    private final Set<String> live;

    Prune(Set<String> live) {
      this.live = live;
    }

    @Override
    public Changes process(Map.Entry<String, AddressState> entry) {
      AddressState state = entry.getValue();
      if (state == null) {
        return null;
      }
      Changes changes = state.removeMembersBut(live);
      if (changes != null) {
        entry.setValue(state.isEmpty() ? null : state);
      }
      return changes;
    }
  }
}
