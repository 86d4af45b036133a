package io.eventhub.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.List;

/**
 * WebSocket text frames as wire bytes (RFC 6455, server to client, so unmasked). Unmasked frames are
 * the same bytes for every socket, which is what lets the fan-out build a turn's frames once, in direct
 * memory, and hand every socket a view of them.
 */
public final class WireFrames {
  private WireFrames() {}

  /** One text frame per payload, back to back, in one buffer the caller releases. */
  public static ByteBuf textFrames(List<Buffer> payloads) {
    int length = 0;
    for (Buffer payload : payloads) {
      length += headerLength(payload.length()) + payload.length();
    }
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(length);
    for (Buffer payload : payloads) {
      appendTextFrame(out, payload);
    }
    return out;
  }

  public static ByteBuf textFrame(Buffer payload) {
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(headerLength(payload.length()) + payload.length());
    appendTextFrame(out, payload);
    return out;
  }

  private static void appendTextFrame(ByteBuf out, Buffer payload) {
    int length = payload.length();
    out.writeByte(0x81); // FIN, text
    if (length < 126) {
      out.writeByte(length);
    } else if (length < 65_536) {
      out.writeByte(126).writeShort(length);
    } else {
      out.writeByte(127).writeLong(length);
    }
    out.writeBytes(((BufferInternal) payload).getByteBuf());
  }

  private static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  }
}
