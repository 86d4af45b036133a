package io.eventhub.history;

import io.eventhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * History in this process's memory, for a single instance: each stream address has a log of at most
 * {@code size} events younger than {@code ttlSeconds}. A log whose events have all expired is
 * forgotten (its memory freed); the next event starts a new epoch, as after a restart.
 */
public final class MemoryHistory implements History {
  private static final long SWEEP_MILLIS = 10_000;

  private final StreamPatterns patterns;
  private final Map<String, Log> logs = new ConcurrentHashMap<>();

  public MemoryHistory(Vertx vertx, HubConfig.History config) {
    this.patterns = new StreamPatterns(config.streams());
    if (!patterns.isEmpty()) {
      vertx.setPeriodic(SWEEP_MILLIS, id -> sweep(System.currentTimeMillis()));
    }
  }

  @Override
  public HubConfig.Stream streamOf(String address) {
    return patterns.of(address);
  }

  @Override
  public Future<Position> append(String address, HubConfig.Stream stream, Object body, MultiMap headers,
                                 Consumer<Position> dispatch) {
    JsonObject kept = StoredEvent.clientHeaders(headers);
    Object copy = body instanceof JsonObject o ? o.copy() : body instanceof JsonArray a ? a.copy() : body;
    while (true) {
      Log log = logs.computeIfAbsent(address, a -> new Log(stream, newEpoch()));
      synchronized (log) {
        if (log.forgotten) {
          continue;
        }
        long now = System.currentTimeMillis();
        Position position = new Position(log.epoch, ++log.last);
        log.events.addLast(new Kept(new StoredEvent(position, copy, kept), now));
        log.trim(now);
        dispatch.accept(position);
        return Future.succeededFuture(position);
      }
    }
  }

  @Override
  public Future<Read> read(String address, Position since, int limit) {
    Log log = logs.get(address);
    if (log == null) {
      // Nothing kept: the stream starts a new epoch with its next event; an old position cannot match.
      HubConfig.Stream stream = streamOf(address);
      log = stream == null ? null : logs.computeIfAbsent(address, a -> new Log(stream, newEpoch()));
      if (log == null) {
        return Future.failedFuture(new IllegalArgumentException(address + " is not a stream"));
      }
    }
    synchronized (log) {
      log.trim(System.currentTimeMillis());
      Position current = new Position(log.epoch, log.last);
      long first = log.last - log.events.size() + 1;
      if (since != null && (!since.epoch().equals(log.epoch) || since.offset() > log.last || since.offset() < first - 1)) {
        return Future.succeededFuture(new Read(false, current, List.of()));
      }
      long from = since != null ? since.offset() + 1 : Math.max(first, log.last - limit + 1);
      List<StoredEvent> events = new ArrayList<>();
      for (Kept kept : log.events) {
        if (kept.event.position().offset() >= from && events.size() < limit) {
          events.add(kept.event);
        }
      }
      Position lastReturned = events.isEmpty() ? null : events.get(events.size() - 1).position();
      // How far the answer goes without a gap: the tail only when the limit left nothing out.
      Position reached = lastReturned != null && lastReturned.offset() < log.last ? lastReturned
          : lastReturned == null && since != null && since.offset() < log.last ? since : current;
      return Future.succeededFuture(new Read(true, reached, events));
    }
  }

  /** Drops expired events; forgets logs with none left. */
  void sweep(long now) {
    for (Map.Entry<String, Log> entry : logs.entrySet()) {
      Log log = entry.getValue();
      synchronized (log) {
        log.trim(now);
        if (log.events.isEmpty() && now - log.lastAppend > log.ttlMillis) {
          log.forgotten = true;
          logs.remove(entry.getKey(), log);
        }
      }
    }
  }

  private static String newEpoch() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  private record Kept(StoredEvent event, long storedAt) {}

  private static final class Log {
    final String epoch;
    final int size;
    final long ttlMillis;
    final ArrayDeque<Kept> events = new ArrayDeque<>();
    long last;
    long lastAppend = System.currentTimeMillis();
    boolean forgotten;

    Log(HubConfig.Stream stream, String epoch) {
      this.epoch = epoch;
      this.size = stream.size();
      this.ttlMillis = stream.ttlSeconds() * 1000L;
    }

    void trim(long now) {
      while (events.size() > size) {
        events.removeFirst();
      }
      Iterator<Kept> oldest = events.iterator();
      while (oldest.hasNext() && now - oldest.next().storedAt >= ttlMillis) {
        oldest.remove();
      }
      if (!events.isEmpty()) {
        lastAppend = Math.max(lastAppend, events.peekLast().storedAt);
      }
    }
  }
}
