package io.eventhub.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.Context;

/**
 * Writes WebSocket frames built as wire bytes ({@link io.eventhub.protocol.WireFrames}) straight to a
 * socket's channel: a turn's frames are built once, in direct memory, and each socket writes a view
 * of them and flushes once. Through Vert.x, each frame
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

  WebSocketWire(Channel channel) {
    this.channel = channel;
  }

  /** Writes and flushes frames built by {@link io.eventhub.protocol.WireFrames}, which the caller still owns and releases. */
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

  /** Drops the client at once: RST, the kernel's buffer for it freed (see {@link SocketRelease}). */
  void abort() {
    SocketRelease.abort(channel);
  }

  /** After a close frame: aborts the socket if the client has not closed it within the grace. */
  void abortUnlessClosed(Context context) {
    SocketRelease.abortUnlessClosed(context, channel);
  }

  /** What Netty holds for the socket because its kernel send buffer is full (a volatile read: any thread). */
  long queuedBytes() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  boolean open() {
    return channel.isOpen();
  }

  /** The socket holds more unsent bytes than its write queue may ({@code bridge.writeQueueMaxBytes}). */
  boolean full() {
    return !channel.isWritable();
  }
}
