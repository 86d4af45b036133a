package io.eventhub.delivery;

import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events a resuming client was just sent from the draining instance. Those published between
 * this instance's registration and the draining one letting go also arrive here, shortly before or
 * after; they are recognised by their bytes and the publish stamp the hub gave them (so two events
 * with the same body stay two) and written once. Events put on the bus by other services carry no
 * stamp: for them the bytes alone decide.
 */
public final class Replayed {
  private record Key(Buffer json, long publishedAtMicros) {
    static Key of(OutboundFrame frame) {
      return new Key(frame.json(), frame.publishedAtMicros());
    }
  }

  private final Map<Key, Integer> copies = new HashMap<>();

  public Replayed(List<OutboundFrame> frames) {
    frames.forEach(frame -> copies.merge(Key.of(frame), 1, Integer::sum));
  }

  public boolean isEmpty() {
    return copies.isEmpty();
  }

  /** The frames not sent already; each replayed frame cancels one arrival of the same bytes. */
  public List<OutboundFrame> unsent(List<OutboundFrame> arrived) {
    if (copies.isEmpty()) {
      return arrived;
    }
    List<OutboundFrame> unsent = new ArrayList<>(arrived.size());
    for (OutboundFrame frame : arrived) {
      Key key = Key.of(frame);
      Integer left = copies.get(key);
      if (left == null) {
        unsent.add(frame);
      } else if (left == 1) {
        copies.remove(key);
      } else {
        copies.put(key, left - 1);
      }
    }
    return unsent;
  }
}
