package io.eventhub.bridge;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * The frames that arrived for one address during one event-loop turn. SockJS connections get them as
 * a single {@code a[...]} frame, built once for all connections on that loop.
 */
public final class Batch {
  private final List<OutboundFrame> frames;
  private Buffer sockJsFrame;

  Batch(List<OutboundFrame> frames) {
    this.frames = frames;
  }

  public List<OutboundFrame> frames() {
    return frames;
  }

  public int size() {
    return frames.size();
  }

  /** Confined to one event loop, like the connections that share it, so no synchronisation. */
  Buffer sockJsFrame() {
    if (frames.size() == 1) {
      return frames.get(0).sockJsFrame();
    }
    if (sockJsFrame == null) {
      int length = 2;
      for (OutboundFrame frame : frames) {
        length += frame.sockJsElement().length() + 1;
      }
      Buffer out = Buffer.buffer(length).appendString("a[");
      for (int i = 0; i < frames.size(); i++) {
        if (i > 0) {
          out.appendString(",");
        }
        out.appendBuffer(frames.get(i).sockJsElement());
      }
      sockJsFrame = out.appendString("]");
    }
    return sockJsFrame;
  }
}
