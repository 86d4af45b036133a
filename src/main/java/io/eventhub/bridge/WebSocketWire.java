package io.eventhub.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.List;

/**
 * WebSocket frames as wire bytes, written straight to a socket's channel. Server-to-client frames are
 * not masked, so the bytes of a turn's frames are the same for every socket: they are built once, in
 * direct memory, and each socket writes a view of them and flushes once. Through Vert.x, each frame
 * would be re-framed and copied per socket and flushed (a system call) on its own.
 */
final class WebSocketWire {
  private final Channel channel;
  /**
   * Where frames enter the pipeline: the WebSocket frame encoder's context. Writing from there skips
   * the handlers behind it (Vert.x's, the idle timer's and the encoder's own type checks, all of which
   * would pass the bytes on untouched) and still goes through TLS when the socket has it. Looked up on
   * the first write, when the upgrade has put the encoder in place; the channel if there is none.
   */
  private ChannelOutboundInvoker entry;

  /**
   * {@code connection} is the upgraded request's: vertx-web hands out a wrapper of the WebSocket that
   * hides its channel, and the channel is the same.
   */
  WebSocketWire(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      throw new IllegalStateException("not an HTTP/1.1 connection: " + connection.getClass().getName());
    }
    this.channel = base.channel();
  }

  /** Writes and flushes frames built by {@link #textFrames}, which the caller still owns and releases. */
  void writeShared(ByteBuf frames) {
    entry().writeAndFlush(frames.retainedDuplicate(), channel.voidPromise());
  }

  /** Writes and flushes frames built for this socket alone. */
  void write(ByteBuf frames) {
    entry().writeAndFlush(frames, channel.voidPromise());
  }

  private ChannelOutboundInvoker entry() {
    if (entry == null) {
      ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
      if (encoder == null) {
        return channel;
      }
      entry = encoder;
    }
    return entry;
  }

  /** The socket holds more unsent bytes than its write queue may ({@code bridge.writeQueueMaxBytes}). */
  boolean full() {
    return !channel.isWritable();
  }

  /** One text frame per payload, back to back, in one buffer the caller releases. */
  static ByteBuf textFrames(List<Buffer> payloads) {
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

  static ByteBuf textFrame(Buffer payload) {
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
