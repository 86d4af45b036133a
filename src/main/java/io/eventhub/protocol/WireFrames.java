package io.eventhub.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * WebSocket text frames as wire bytes (RFC 6455, server to client, so unmasked). Unmasked frames are
 * the same bytes for every socket, which is what lets the fan-out build a turn's frames once, in direct
 * memory, and hand every socket a view of them.
 */
public final class WireFrames {
  /** The hub's heartbeat ping (payload "hb"), one buffer for every socket: write views of it. */
  public static final ByteBuf PING = Unpooled.unreleasableBuffer(
      Unpooled.directBuffer(4).writeByte(0x89).writeByte(2).writeBytes("hb".getBytes(StandardCharsets.US_ASCII)));

  private WireFrames() {}

  /** A close frame: the code, then the reason cut to what fits a control frame (123 bytes of UTF-8). */
  public static ByteBuf closeFrame(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, 123);
    while (length < text.length && (text[length] & 0xC0) == 0x80) {
      length--; // not inside a character
    }
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(4 + length);
    out.writeByte(0x88).writeByte(2 + length).writeShort(code).writeBytes(text, 0, length);
    return out;
  }

  /** The answer to a ping: its payload (at most 125 bytes, as the decoder enforced) echoed. */
  public static ByteBuf pongFrame(ByteBuf pingPayload) {
    int length = pingPayload.readableBytes();
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(2 + length);
    out.writeByte(0x8A).writeByte(length).writeBytes(pingPayload, pingPayload.readerIndex(), length);
    return out;
  }

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
