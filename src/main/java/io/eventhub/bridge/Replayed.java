package io.eventhub.bridge;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events a resuming client was just sent from the draining instance. Those published between
 * this instance's registration and the draining one letting go also arrive here, shortly before or
 * after; they are recognised by their bytes (the same encoding of the same message) and written once.
 */
final class Replayed {
  private final Map<Buffer, Integer> copies = new HashMap<>();

  Replayed(List<OutboundFrame> frames) {
    frames.forEach(frame -> copies.merge(frame.json(), 1, Integer::sum));
  }

  boolean isEmpty() {
    return copies.isEmpty();
  }

  /** The frames not sent already; each replayed frame cancels one arrival of the same bytes. */
  List<OutboundFrame> unsent(List<OutboundFrame> arrived) {
    if (copies.isEmpty()) {
      return arrived;
    }
    List<OutboundFrame> unsent = new ArrayList<>(arrived.size());
    for (OutboundFrame frame : arrived) {
      Integer left = copies.get(frame.json());
      if (left == null) {
        unsent.add(frame);
      } else if (left == 1) {
        copies.remove(frame.json());
      } else {
        copies.put(frame.json(), left - 1);
      }
    }
    return unsent;
  }
}
