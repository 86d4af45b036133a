package io.eventhub.delivery;

import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.WireFrames;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * The frames that arrived for one address during one flush interval, for the connections of one event
 * loop. Each transport's bytes are built once for all of them: SockJS connections get one
 * {@code a[...]} frame, raw WebSocket connections the frames back to back in one write.
 * Confined to that event loop, like the connections that share it, so no synchronisation.
 */
public final class Batch {
  private final List<OutboundFrame> frames;
  private final String address;
  private Buffer sockJsFrame;
  private ByteBuf rawWire;
  private ByteBuf sockJsWire;

  public Batch(List<OutboundFrame> frames) {
    this(null, frames);
  }

  /** Events of one address, from the fan-out. */
  public Batch(String address, List<OutboundFrame> frames) {
    this.address = address;
    this.frames = frames;
  }

  /** The address of the fan-out's batches; null for frames put together for one connection. */
  public String address() {
    return address;
  }

  public List<OutboundFrame> frames() {
    return frames;
  }

  public int size() {
    return frames.size();
  }

  public Buffer sockJsFrame() {
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

  /** Every frame as a WebSocket text frame of its own; released with the batch. */
  public ByteBuf rawWire() {
    if (rawWire == null) {
      rawWire = WireFrames.textFrames(frames.stream().map(OutboundFrame::json).toList());
    }
    return rawWire;
  }

  /** The {@code a[...]} frame as one WebSocket text frame; released with the batch. */
  public ByteBuf sockJsWire() {
    if (sockJsWire == null) {
      sockJsWire = WireFrames.textFrame(sockJsFrame());
    }
    return sockJsWire;
  }

  /** Gives back the wire bytes; sockets still writing them hold views of their own. */
  public void release() {
    if (rawWire != null) {
      rawWire.release();
      rawWire = null;
    }
    if (sockJsWire != null) {
      sockJsWire.release();
      sockJsWire = null;
    }
  }
}
