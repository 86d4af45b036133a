package io.eventhub.history;

import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.ringbuffer.StaleSequenceException;
import io.eventhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * History kept in the cluster's Hazelcast, for every member alike: one Ringbuffer per stream address
 * and epoch (capacity {@code size}, {@code ttlSeconds}, one synchronous backup, so kill -9 of a member
 * loses nothing). The Ringbuffer gives the offsets: its sequence + 1, atomically for the whole
 * cluster. The epoch sits in a map entry in the same partition as the Ringbuffer (both named with the
 * address as partition key), so they are lost together, and a lost stream starts with a new epoch;
 * the epoch is part of the Ringbuffer's name, so a new epoch always starts on an empty Ringbuffer.
 * Streams nobody publishes to are forgotten after a while ({@link RingSweep}), so memory is bounded by
 * the addresses in use, not by every address ever used.
 */
public final class HazelcastHistory implements History {
  private static final String PREFIX = "hub-history-";
  private static final String EPOCHS = "hub-history-epochs";
  private static final int READ_BATCH = 1000;
  /** How long a Ringbuffer of an epoch no longer current is kept before it is destroyed (see {@link RingSweep}). */
  static final long ORPHAN_GRACE_MILLIS = 120_000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final StreamPatterns patterns;
  private final List<HubConfig.Stream> streams;
  private final IMap<String, String> epochs;
  /** The last append of each address still in progress on this member. */
  private final Map<String, Future<?>> queues = new ConcurrentHashMap<>();

  public HazelcastHistory(Vertx vertx, HazelcastInstance hazelcast, HubConfig.History config) {
    this(vertx, hazelcast, config, sweepMillis(config.streams()), ORPHAN_GRACE_MILLIS);
  }

  HazelcastHistory(Vertx vertx, HazelcastInstance hazelcast, HubConfig.History config, long sweepMillis,
                   long orphanGraceMillis) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.streams = config.streams();
    this.patterns = new StreamPatterns(streams);
    for (int i = 0; i < streams.size(); i++) {
      HubConfig.Stream stream = streams.get(i);
      hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(PREFIX + i + ":*")
          .setCapacity(stream.size()).setTimeToLiveSeconds(stream.ttlSeconds())
          .setBackupCount(1).setAsyncBackupCount(0));
    }
    hazelcast.getConfig().addMapConfig(new MapConfig(EPOCHS).setBackupCount(1).setPartitioningStrategyConfig(
        new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())));
    this.epochs = hazelcast.getMap(EPOCHS);
    if (!streams.isEmpty()) {
      RingSweep sweep = new RingSweep(hazelcast, epochs, streams, orphanGraceMillis);
      // One sweep at a time: a tick that finds the last one still running is skipped, not queued.
      AtomicBoolean sweeping = new AtomicBoolean();
      vertx.setPeriodic(sweepMillis, id -> {
        if (sweeping.compareAndSet(false, true)) {
          vertx.executeBlocking(() -> sweep.sweep(System.currentTimeMillis()), false)
              .onComplete(done -> sweeping.set(false));
        }
      });
    }
  }

  /** Half the shortest TTL, from 1 s to 60 s: a stream is forgotten soon after it may be. */
  static long sweepMillis(List<HubConfig.Stream> streams) {
    long shortest = streams.stream().mapToLong(HubConfig.Stream::ttlSeconds).min().orElse(120) * 1000L;
    return Math.max(1000, Math.min(60_000, shortest / 2));
  }

  @Override
  public HubConfig.Stream streamOf(String address) {
    return patterns.of(address);
  }

  @Override
  public Future<Position> append(String address, HubConfig.Stream stream, Object body, MultiMap headers,
                                 Consumer<Position> dispatch) {
    JsonObject kept = StoredEvent.clientHeaders(headers);
    String item = new JsonObject().put("b", body).put("h", kept).encode();
    // One append at a time per address on this member, each dispatched before the next is stored:
    // what this member publishes keeps its order, whichever thread or connection it came from.
    Promise<Position> appended = Promise.promise();
    Future<?> previous = queues.put(address, appended.future());
    (previous == null ? Future.succeededFuture() : previous.transform(ignored -> Future.succeededFuture()))
        .compose(ignored -> vertx.executeBlocking(() -> {
          String epoch = epoch(address);
          long sequence = ringbuffer(address, stream, epoch).addAsync(item, OverflowPolicy.OVERWRITE).toCompletableFuture().get();
          return new Position(epoch, sequence + 1);
        }, false))
        .andThen(done -> {
          if (done.succeeded()) {
            dispatch.accept(done.result());
          }
          queues.remove(address, appended.future());
        })
        .onComplete(appended);
    return appended.future();
  }

  @Override
  public Future<Read> read(String address, Position since, int limit) {
    HubConfig.Stream stream = streamOf(address);
    if (stream == null) {
      return Future.failedFuture(new IllegalArgumentException(address + " is not a stream"));
    }
    return vertx.executeBlocking(() -> read(address, stream, since, limit), false);
  }

  private Read read(String address, HubConfig.Stream stream, Position since, int limit)
      throws InterruptedException, ExecutionException {
    String epoch = epoch(address);
    Ringbuffer<String> ring = ringbuffer(address, stream, epoch);
    long head = ring.headSequence();
    long tail = ring.tailSequence();
    Position current = new Position(epoch, tail + 1);
    // Offsets are sequences + 1: since OFFSET means "from sequence OFFSET on".
    if (since != null && (!since.epoch().equals(epoch) || since.offset() > tail + 1 || since.offset() < head)) {
      return new Read(false, current, List.of());
    }
    long from = since != null ? since.offset() : Math.max(head, tail + 1 - limit);
    List<StoredEvent> events = new ArrayList<>();
    try {
      while (from <= tail && events.size() < limit) {
        int count = (int) Math.min(Math.min(READ_BATCH, limit - events.size()), tail - from + 1);
        ReadResultSet<String> batch = ring.readManyAsync(from, 0, count, null).toCompletableFuture().get();
        for (int i = 0; i < batch.size(); i++) {
          JsonObject item = new JsonObject(batch.get(i));
          events.add(new StoredEvent(new Position(epoch, batch.getSequence(i) + 1), item.getValue("b"),
              item.getJsonObject("h")));
        }
        if (batch.size() == 0) {
          break;
        }
        from = batch.getNextSequenceToReadFrom();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StaleSequenceException) {
        // Trimmed while being read: what was asked for is no longer there as a whole.
        return new Read(false, current, List.of());
      }
      throw e;
    }
    Position lastReturned = events.isEmpty() ? null : events.get(events.size() - 1).position();
    Position reached = lastReturned != null && lastReturned.offset() < tail + 1 ? lastReturned
        : lastReturned == null && since != null && since.offset() < tail + 1 ? since : current;
    return new Read(true, reached, events);
  }

  /** The stream's epoch, made when there is none: the first use, after the partition holding it was lost, or once forgotten. */
  private String epoch(String address) {
    String key = epochKey(address);
    String epoch = epochs.get(key);
    if (epoch == null) {
      String made = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
      epoch = epochs.putIfAbsent(key, made);
      epoch = epoch == null ? made : epoch;
    }
    return epoch;
  }

  private Ringbuffer<String> ringbuffer(String address, HubConfig.Stream stream, String epoch) {
    return hazelcast.getRingbuffer(new RingName(streams.indexOf(stream), epoch, address).toString());
  }

  /** The epoch entry's key: in the address's partition, as its Ringbuffers are. */
  static String epochKey(String address) {
    return address + "@" + address;
  }

  /**
   * A stream Ringbuffer's name, {@code hub-history-STREAM:EPOCH:ADDRESS@ADDRESS}: the stream's index
   * (its config), the epoch it holds, and the address twice, the second as Hazelcast's partition key.
   */
  record RingName(int stream, String epoch, String address) {
    @Override
    public String toString() {
      return PREFIX + stream + ":" + epoch + ":" + epochKey(address);
    }

    /** Null for a name that is not a stream Ringbuffer's. */
    static RingName parse(String name) {
      if (!name.startsWith(PREFIX)) {
        return null;
      }
      String rest = name.substring(PREFIX.length());
      int colon = rest.indexOf(':');
      int second = colon < 0 ? -1 : rest.indexOf(':', colon + 1);
      String twice = second < 0 ? "" : rest.substring(second + 1);
      if (twice.length() % 2 == 0) {
        return null;
      }
      String address = twice.substring(0, twice.length() / 2);
      try {
        return epochKey(address).equals(twice)
            ? new RingName(Integer.parseInt(rest.substring(0, colon)), rest.substring(colon + 1, second), address) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
