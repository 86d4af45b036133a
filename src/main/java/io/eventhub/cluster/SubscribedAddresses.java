package io.eventhub.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Which addresses have a consumer anywhere in the cluster, known locally. Back ends publish to
 * per-user addresses whether or not the user is online; Vert.x looks every such address up in
 * Hazelcast on each publish (measured: 5-10 times slower than publishing to a subscribed address), so
 * the hub's publish paths ask this view first and skip addresses nobody listens on.
 *
 * <p>The view follows Vert.x's own registration table ({@code __vertx.subs}) through a key listener:
 * an added registration marks its address at once; a removal re-checks the address in Hazelcast,
 * which is rare and off the publish path. A subscription made while an event is being published may
 * miss that one event, as it could without the view.
 */
public final class SubscribedAddresses {
  private static final String VERTX_SUBSCRIPTIONS = "__vertx.subs";

  private final MultiMap<String, Object> subscriptions;
  private final Set<String> addresses = ConcurrentHashMap.newKeySet();
  /** Told of every registration added or removed, with its address, on Hazelcast's event threads. */
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  private SubscribedAddresses(MultiMap<String, Object> subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** The view for a clustered Vert.x; null when clustering is off (a local publish to nobody is cheap). */
  public static SubscribedAddresses of(Vertx vertx) {
    if (!(vertx instanceof VertxInternal internal) || !(internal.clusterManager() instanceof HazelcastClusterManager hz)) {
      return null;
    }
    HazelcastInstance instance = hz.getHazelcastInstance();
    SubscribedAddresses view = new SubscribedAddresses(instance.getMultiMap(VERTX_SUBSCRIPTIONS));
    view.start();
    return view;
  }

  private void start() {
    subscriptions.addEntryListener(new EntryListener<>() {
      @Override
      public void entryAdded(EntryEvent<String, Object> event) {
        addresses.add(event.getKey());
        changed(event.getKey());
      }

      @Override
      public void entryRemoved(EntryEvent<String, Object> event) {
        recheck(event.getKey());
      }

      @Override
      public void entryUpdated(EntryEvent<String, Object> event) {
        addresses.add(event.getKey());
        changed(event.getKey());
      }

      @Override
      public void entryEvicted(EntryEvent<String, Object> event) {
        recheck(event.getKey());
      }

      @Override
      public void entryExpired(EntryEvent<String, Object> event) {
        recheck(event.getKey());
      }

      @Override
      public void mapCleared(MapEvent event) {
        addresses.clear();
      }

      @Override
      public void mapEvicted(MapEvent event) {
        addresses.clear();
      }
    }, false);
    addresses.addAll(subscriptions.keySet());
  }

  private void recheck(String address) {
    try {
      if (!subscriptions.containsKey(address)) {
        addresses.remove(address);
      }
      changed(address);
    } catch (HazelcastInstanceNotActiveException leaving) {
      // This member is shutting down: its own consumers' removals still arrive while Hazelcast
      // stops, and the view has no reader left.
    }
  }

  private void changed(String address) {
    for (Consumer<String> listener : listeners) {
      listener.accept(address);
    }
  }

  /** Calls {@code listener} with the address of every consumer registered or removed anywhere, on Hazelcast's event threads. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** How many consumers {@code address} has in the cluster (a Hazelcast call: not for event loops). */
  public int consumers(String address) {
    return subscriptions.valueCount(address);
  }

  /** The addresses with a consumer somewhere, as known here now. */
  public Set<String> addresses() {
    return Set.copyOf(addresses);
  }

  /** Whether some member has a consumer on {@code address}. */
  public boolean anywhere(String address) {
    return addresses.contains(address);
  }

  public int size() {
    return addresses.size();
  }
}
