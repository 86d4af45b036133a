package io.eventhub.history;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.eventhub.config.HubConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forgets the streams nobody publishes to, so that the Hazelcast home stays bounded however many
 * addresses come and go. A Ringbuffer holds arrays of its full capacity from its creation, even
 * when its events have expired, and every member keeps a proxy of it; the epoch entry is never
 * expired by Hazelcast either. Each member looks after the streams whose partition it owns:
 *
 * <ol>
 *   <li>a Ringbuffer seen empty (every event past its TTL, or none ever) with the same tail for the
 *       stream's {@code ttlSeconds} loses its epoch entry, removed only if still that epoch; the next
 *       event or read of the address makes a new epoch and a new Ringbuffer (named after its epoch),
 *       so an old position never matches, as after a loss;</li>
 *   <li>a Ringbuffer whose epoch is no longer the current one (forgotten, or its partition lost) is
 *       destroyed once it has been so for {@link #orphanGraceMillis}: longer than any append that
 *       read the old epoch just before it was removed can take to write (Hazelcast gives up on a call
 *       after 60 s), so no write ever recreates a destroyed Ringbuffer under its old epoch.</li>
 * </ol>
 * Run on a worker, one sweep at a time.
 */
final class RingSweep {
  private static final Logger LOG = LoggerFactory.getLogger(RingSweep.class);

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> epochs;
  private final List<HubConfig.Stream> streams;
  private final long orphanGraceMillis;
  /** Per Ringbuffer name: the tail it had when first seen empty, and when. */
  private final Map<String, long[]> emptySince = new HashMap<>();
  /** Per Ringbuffer name: when it was first seen under an epoch that is not current. */
  private final Map<String, Long> orphanSince = new HashMap<>();

  RingSweep(HazelcastInstance hazelcast, IMap<String, String> epochs, List<HubConfig.Stream> streams,
            long orphanGraceMillis) {
    this.hazelcast = hazelcast;
    this.epochs = epochs;
    this.streams = streams;
    this.orphanGraceMillis = orphanGraceMillis;
  }

  /** One pass over the stream Ringbuffers this member owns; returns how many were destroyed. */
  int sweep(long now) {
    Set<String> seen = new HashSet<>();
    int destroyed = 0;
    for (DistributedObject object : hazelcast.getDistributedObjects()) {
      HazelcastHistory.RingName name = object instanceof Ringbuffer<?>
          ? HazelcastHistory.RingName.parse(object.getName()) : null;
      if (name == null || name.stream() >= streams.size() || !ownedHere(object)) {
        continue;
      }
      try {
        seen.add(object.getName());
        if (sweep(object, name, now)) {
          destroyed++;
        }
      } catch (RuntimeException e) {
        // Migrating or shutting down: the next pass, here or on the new owner, sees it again.
        LOG.debug("history sweep skipped {}: {}", object.getName(), e.toString());
      }
    }
    emptySince.keySet().retainAll(seen);
    orphanSince.keySet().retainAll(seen);
    return destroyed;
  }

  private boolean sweep(DistributedObject object, HazelcastHistory.RingName name, long now) {
    String key = HazelcastHistory.epochKey(name.address());
    if (!name.epoch().equals(epochs.get(key))) {
      emptySince.remove(object.getName());
      long since = orphanSince.computeIfAbsent(object.getName(), n -> now);
      if (now - since < orphanGraceMillis) {
        return false;
      }
      object.destroy();
      orphanSince.remove(object.getName());
      return true;
    }
    orphanSince.remove(object.getName());
    Ringbuffer<?> ring = (Ringbuffer<?>) object;
    long tail = ring.tailSequence();
    if (ring.size() > 0) {
      emptySince.remove(object.getName());
      return false;
    }
    long[] empty = emptySince.get(object.getName());
    if (empty == null || empty[0] != tail) {
      emptySince.put(object.getName(), new long[] {tail, now});
      return false;
    }
    if (now - empty[1] >= streams.get(name.stream()).ttlSeconds() * 1000L) {
      epochs.remove(key, name.epoch());
      emptySince.remove(object.getName());
    }
    return false;
  }

  private boolean ownedHere(DistributedObject object) {
    var owner = hazelcast.getPartitionService().getPartition(object.getPartitionKey()).getOwner();
    return owner != null && owner.localMember();
  }
}
