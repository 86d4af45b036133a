package io.eventhub.delivery;

import io.eventhub.history.ClusterIntake;
import io.eventhub.history.History;
import io.eventhub.history.Position;
import io.eventhub.history.Read;
import io.eventhub.history.StoredEvent;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Context;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Hands one stream address's events to the fan-out in position order. In a cluster, events get their
 * positions on different members and travel to this one on different connections, so they can arrive
 * out of order, or not at all (published while this member's subscription was still spreading). An
 * event ahead of the next expected position waits; the missing ones are read from the history, where
 * they are stored before they are put on the bus, and a late bus copy of one is then dropped.
 *
 * <p>An event a service in another JVM put on the bus comes without a position; the address's intake
 * ({@link ClusterIntake}) stores it and publishes it again with one. The copy without is held here
 * until that one comes (matched by body), and goes out as it came if none does in time.
 * Confined to the address's consumer context.
 */
final class Sequencer {
  /** Events waiting for a gap to be filled beyond which the gap is given up (counted as dropped). */
  private static final int MAX_WAITING = 10_000;

  private final String address;
  private final History history;
  private final Consumer<OutboundFrame> out;
  private final Context context;
  private final TreeMap<Long, OutboundFrame> waiting = new TreeMap<>();
  private String epoch;
  /** The offset to hand over next; unknown (-1) until the stream's position at subscription is read. */
  private long expected = -1;
  private boolean reading;
  /** Whether any event went out: from then on, one older than the next expected is a late copy. */
  private boolean handedOver;
  /** Events without a position, waiting for the intake's positioned copy. */
  private final ArrayDeque<Held> unpositioned = new ArrayDeque<>();
  /** Bodies of positioned copies that came before the event they copy: it is dropped when it comes. */
  private final ArrayDeque<Held> early = new ArrayDeque<>();
  private boolean releaseScheduled;

  private record Held(Object body, OutboundFrame frame, long deadlineNanos) {}

  /** {@code context}: where the address's consumer receives; null off a Vert.x thread. */
  Sequencer(String address, History history, Context context, Consumer<OutboundFrame> out) {
    this.address = address;
    this.context = context;
    this.history = history;
    this.out = out;
  }

  /** Reads where the stream stands: what was published before is history, not live. */
  void start() {
    run(() -> {
      reading = true;
      history.read(address, null, 0).onComplete(read -> run(() -> {
        reading = false;
        if (read.succeeded() && epoch == null) {
          Position current = read.result().position();
          epoch = current.epoch();
          // What came over the bus meanwhile was published after the subscription: it is live.
          expected = waiting.isEmpty() ? current.offset() + 1 : Math.min(current.offset() + 1, waiting.firstKey());
        }
        drain();
      }));
    });
  }

  /** An event put on the bus without a position, {@code body} as it came. */
  void acceptUnpositioned(Object body, OutboundFrame frame) {
    if (context == null) {
      out.accept(frame);
    } else if (!removeFirst(early, body)) {
      hold(unpositioned, new Held(body, frame, deadline()));
    }
  }

  /** An intake's positioned copy of an event put on the bus without one. */
  void acceptIntakeCopy(Object body, Position position, OutboundFrame frame) {
    if (context != null && !removeFirst(unpositioned, body)) {
      hold(early, new Held(body, null, deadline()));
    }
    accept(position, frame);
  }

  void accept(Position position, OutboundFrame frame) {
    if (epoch == null || !epoch.equals(position.epoch())) {
      if (reading && epoch == null) {
        waiting.put(position.offset(), frame);
        return;
      }
      // The stream's history was lost and started again: its new epoch starts over here.
      epoch = position.epoch();
      expected = position.offset();
      handedOver = false;
      waiting.clear();
    }
    if (expected >= 0 && position.offset() < expected) {
      if (handedOver) {
        return;
      }
      // Stored before the position read at subscription but still on its way here: nothing later
      // has gone out yet, so it can, in order.
      expected = position.offset();
    }
    waiting.put(position.offset(), frame);
    drain();
  }

  private void drain() {
    if (reading) {
      return;
    }
    if (expected < 0 && !waiting.isEmpty()) {
      expected = waiting.firstKey();
    }
    while (!waiting.isEmpty() && waiting.firstKey() <= expected) {
      var first = waiting.pollFirstEntry();
      if (first.getKey() == expected) {
        out.accept(first.getValue());
        handedOver = true;
        expected++;
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    if (waiting.size() > MAX_WAITING) {
      expected = waiting.firstKey();
      drain();
      return;
    }
    fillGap(waiting.firstKey());
  }

  private void fillGap(long upTo) {
    reading = true;
    String gapEpoch = epoch;
    history.read(address, new Position(gapEpoch, expected - 1), (int) Math.min(MAX_WAITING, upTo - expected))
        .onComplete(done -> run(() -> {
          reading = false;
          if (!gapEpoch.equals(epoch)) {
            drain();
            return;
          }
          Read read = done.succeeded() ? done.result() : null;
          if (read != null && read.available()) {
            for (StoredEvent event : read.events()) {
              if (event.position().offset() == expected && expected < upTo) {
                out.accept(OutboundFrame.replayed(address, event.body(), event.headers(),
                    event.position().toString(), expected).since(System.nanoTime()));
                handedOver = true;
                expected++;
              }
            }
          }
          if (expected < upTo) {
            // Not in history (trimmed, or the read failed): what was lost stays lost, in order.
            expected = upTo;
          }
          drain();
        }));
  }

  private static boolean removeFirst(ArrayDeque<Held> held, Object body) {
    for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
      if (Objects.equals(it.next().body(), body)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  private static long deadline() {
    return System.nanoTime() + ClusterIntake.HOLD_MILLIS * 1_000_000;
  }

  private void hold(ArrayDeque<Held> held, Held event) {
    held.add(event);
    if (held.size() > MAX_WAITING) {
      release(held.poll());
    }
    scheduleRelease();
  }

  /** What waited for an intake's copy in vain goes out as it came (the intake's home changing, or failing). */
  private void releaseDue() {
    releaseScheduled = false;
    long now = System.nanoTime();
    for (ArrayDeque<Held> held : List.of(unpositioned, early)) {
      while (!held.isEmpty() && held.peek().deadlineNanos() - now <= 0) {
        release(held.poll());
      }
    }
    scheduleRelease();
  }

  /** A timer for the first deadline of what is held (each deque is in deadline order), unless one is set. */
  private void scheduleRelease() {
    if (releaseScheduled || unpositioned.isEmpty() && early.isEmpty()) {
      return;
    }
    long first = Long.MAX_VALUE;
    for (ArrayDeque<Held> held : List.of(unpositioned, early)) {
      if (!held.isEmpty()) {
        first = Math.min(first, held.peek().deadlineNanos() - System.nanoTime());
      }
    }
    releaseScheduled = true;
    context.owner().setTimer(Math.max(1, first / 1_000_000 + 1), id -> run(this::releaseDue));
  }

  private void release(Held event) {
    if (event.frame() != null) {
      out.accept(event.frame());
    }
  }

  private void run(Runnable task) {
    if (context == null) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }
}
