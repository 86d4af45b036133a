package io.eventhub.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.Context;

import java.util.Map;

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
  /** Bytes written, ever: only the socket's event loop adds to it. */
  private volatile long written;
  /** The sampler's own (one sampling thread at a time): what it saw last. */
  private long sampledWritten;
  private long sampledWaiting;

  WebSocketWire(Channel channel) {
    this.channel = channel;
  }

  /** Writes and flushes frames built by {@link io.eventhub.protocol.WireFrames}, which the caller still owns and releases. */
  void writeShared(ByteBuf frames) {
    written += frames.readableBytes(); // one writer, the socket's loop: the sampler only reads it
    entry().writeAndFlush(frames.retainedDuplicate(), channel.voidPromise());
  }

  /** Writes and flushes frames built for this socket alone. */
  void write(ByteBuf frames) {
    written += frames.readableBytes();
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

  /**
   * How long what waits for this client (in Netty's buffer and, from {@code kernelQueues}, the
   * kernel's send queue) will take it to read, at the rate it read since the last sample
   * {@code intervalNanos} ago: what was written meanwhile less what the waiting grew by. -1 when
   * nothing was written to it meanwhile (a quiet client, or one the slow-consumer policy is dropping
   * for) or it read nothing (stalled): neither says how late deliveries run. Called by one sampling
   * thread at a time.
   */
  long outboundLagNanos(Map<String, Long> kernelQueues, long intervalNanos) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    // Most sockets have nothing queued in the kernel, and then the table is empty: no key to make.
    String peer = kernelQueues.isEmpty() ? null : SendQueues.peerKey(channel.remoteAddress());
    long waiting = (buffer == null ? 0 : buffer.totalPendingWriteBytes())
        + (peer == null ? 0 : kernelQueues.getOrDefault(peer, 0L));
    long total = written;
    long writtenMeanwhile = total - sampledWritten;
    long read = writtenMeanwhile - (waiting - sampledWaiting);
    sampledWritten = total;
    sampledWaiting = waiting;
    if (writtenMeanwhile == 0) {
      return -1;
    }
    if (waiting == 0) {
      return 0;
    }
    if (read <= 0) {
      // Stalled, not late (a cut link, a frozen tab): the slow-consumer policy's business. Counted as
      // late, one stalled client among few would be the median and refuse every publisher.
      return -1;
    }
    return (long) (waiting * ((double) intervalNanos / read));
  }

  boolean open() {
    return channel.isOpen();
  }

  /** The socket holds more unsent bytes than its write queue may ({@code bridge.writeQueueMaxBytes}). */
  boolean full() {
    return !channel.isWritable();
  }
}
