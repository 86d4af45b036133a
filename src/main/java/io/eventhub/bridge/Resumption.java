package io.eventhub.bridge;

import io.eventhub.delivery.Handover;
import io.eventhub.delivery.Replayed;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's side of a {@link Handover}: while its old subscriptions are taken over, events that
 * arrive here are held; then the missed ones go first and the held ones after them, and for a while
 * copies of the replayed events that still arrive here are recognised and not written twice.
 * Confined to the connection's event loop.
 */
final class Resumption {
  /** Longest a copy of a replayed event can trail the replay on this instance: a bus hop, not a network wait. */
  private static final long REPLAY_WINDOW_MILLIS = 5_000;

  private final Vertx vertx;
  /** While resuming: the events that arrive here before the missed ones are written. */
  private List<OutboundFrame> held;
  /** Just after a resume: the events replayed, so that their copies arriving here are dropped. */
  private Replayed replayed;

  Resumption(Vertx vertx) {
    this.vertx = vertx;
  }

  boolean inProgress() {
    return held != null;
  }

  void begin() {
    held = new ArrayList<>();
  }

  /** Holds frames until the resume completes; false, holding nothing more, when that would be too many. */
  boolean hold(List<OutboundFrame> frames) {
    if (held.size() + frames.size() > Handover.MAX_KEPT_FRAMES) {
      return false;
    }
    held.addAll(frames);
    return true;
  }

  /** Ends the resume: what to write now, the missed events first, then what arrived meanwhile less what was among them. */
  List<OutboundFrame> complete(List<OutboundFrame> missed) {
    List<OutboundFrame> arrived = held;
    held = null;
    replayed = new Replayed(missed);
    List<OutboundFrame> frames = new ArrayList<>(missed);
    frames.addAll(replayed.unsent(arrived));
    // Copies still on their way here (this instance's own delivery can trail the draining one's
    // answer) are caught for a while; per-connection work, but only just after a resume.
    if (replayed.isEmpty()) {
      replayed = null;
    } else {
      vertx.setTimer(REPLAY_WINDOW_MILLIS, id -> replayed = null);
    }
    return frames;
  }

  /** The frames of a delivery not already replayed; the same list when nothing was. */
  List<OutboundFrame> unsent(List<OutboundFrame> frames) {
    return replayed == null ? frames : replayed.unsent(frames);
  }
}
