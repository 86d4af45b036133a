package io.eventhub.bridge;

import io.eventhub.history.History;
import io.eventhub.history.Position;
import io.eventhub.history.Read;
import io.eventhub.history.StoredEvent;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.protocol.ErrorCode;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A connection's registrations with {@code since} still reading history. The subscription is made
 * first, so live events from then on are held here while the history read runs; the replay is then
 * written, followed by the held events it does not already hold (by offset): no gap, no duplicate,
 * position order. A register that also carries header {@code ack} gets a {@code recovered} frame
 * first, so that a client learns it missed nothing even when there is nothing to replay. Confined to
 * the connection's context.
 */
final class Recovery {
  /** Live events held per recovering address beyond which the connection is a slow consumer. */
  static final int MAX_HELD = 10_000;

  private final HubMetrics metrics;
  private final Map<String, List<OutboundFrame>> held = new HashMap<>();
  /** Recovering addresses whose register asked for a {@code recovered} frame (header {@code ack}). */
  private final Set<String> acked = new HashSet<>();
  /**
   * After a replay, the offset it reached: events the fan-out had already taken from the bus but not
   * yet handed over arrive after the replay and are dropped up to there. Gone with the first newer one.
   */
  private final Map<String, Long> replayedUpTo = new HashMap<>();

  Recovery(HubMetrics metrics) {
    this.metrics = metrics;
  }

  /** The events after {@code since}; unavailable, with the current position, when it is not a position. */
  static Future<Read> read(History history, String address, String since) {
    Position from = Position.parse(since);
    if (from != null) {
      return history.read(address, from, Integer.MAX_VALUE);
    }
    return history.read(address, null, 0).map(current -> new Read(false, current.position(), List.of()));
  }

  /** {@code ack}: the client wants a {@code recovered} frame ahead of the replay (the hosted client does). */
  void begin(String address, boolean ack) {
    held.put(address, new ArrayList<>());
    if (ack) {
      acked.add(address);
    }
  }

  boolean recovering(String address) {
    return address != null && held.containsKey(address);
  }

  /** False when too much is held: the caller treats the connection as slow. */
  boolean hold(String address, List<OutboundFrame> frames) {
    List<OutboundFrame> list = held.get(address);
    list.addAll(frames);
    return list.size() <= MAX_HELD;
  }

  void cancel(String address) {
    held.remove(address);
    acked.remove(address);
    replayedUpTo.remove(address);
  }

  /** The live frames not already replayed. */
  List<OutboundFrame> unsent(String address, List<OutboundFrame> frames) {
    Long reached = replayedUpTo.isEmpty() || address == null ? null : replayedUpTo.get(address);
    if (reached == null) {
      return frames;
    }
    List<OutboundFrame> unsent = new ArrayList<>(frames.size());
    for (OutboundFrame frame : frames) {
      if (frame.offset() > reached) {
        replayedUpTo.remove(address);
        unsent.add(frame);
      } else if (!replayedUpTo.containsKey(address)) {
        unsent.add(frame);
      }
    }
    return unsent;
  }

  /**
   * What to write now that the read is done: the replay and the later live events, or, when the
   * history cannot serve {@code since}, {@code history_unavailable} with the current position and then
   * the live events. Null when the address stopped recovering meanwhile (unregistered).
   */
  List<OutboundFrame> complete(String address, Read read) {
    List<OutboundFrame> live = held.remove(address);
    boolean ack = acked.remove(address);
    if (live == null) {
      return null;
    }
    List<OutboundFrame> frames = new ArrayList<>();
    long reached = Long.MIN_VALUE;
    if (read == null || !read.available()) {
      String position = read == null ? null : read.position().toString();
      frames.add(OutboundFrame.err(ErrorCode.HISTORY_UNAVAILABLE, read == null
          ? "the history of " + address + " cannot be read now"
          : "events since the given position are no longer in the history of " + address, address,
          position));
    } else {
      if (ack) {
        frames.add(OutboundFrame.recovered(address, read.position().toString(), read.events().size()));
      }
      for (StoredEvent event : read.events()) {
        frames.add(OutboundFrame.replayed(address, event.body(), event.headers(), event.position().toString(),
            event.position().offset()));
        reached = event.position().offset();
      }
      if (read.events().isEmpty()) {
        reached = read.position().offset();
      }
    }
    boolean available = read != null && read.available();
    metrics.recovery(available ? "recovered" : "unavailable", available ? read.events().size() : 0);
    replayedUpTo.put(address, reached);
    frames.addAll(unsent(address, live));
    return frames;
  }
}
