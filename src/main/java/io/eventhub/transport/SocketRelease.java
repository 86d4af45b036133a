package io.eventhub.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.vertx.core.Context;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Makes the hub let go of a client's socket at once when it drops the client. A plain close queues
 * the FIN behind whatever the kernel still holds for the client; a client that does not read keeps
 * that socket (and its send buffer) on the hub's side, ESTABLISHED and then FIN-WAIT-1, for minutes.
 * Such a close is turned into an abort (SO_LINGER 0: the kernel drops the buffer and sends RST) when
 * bytes are still waiting in Netty for the client (the kernel's buffer is full: it does not read),
 * when the idle timeout closes the socket, or when the hub asked for it ({@link #abort}).
 */
@ChannelHandler.Sharable
public final class SocketRelease extends ChannelDuplexHandler {
  /** How long a client may take to answer a close frame before its socket is aborted. */
  public static final long CLOSE_GRACE_MILLIS = 1000;
  private static final SocketRelease INSTANCE = new SocketRelease();
  private static final AttributeKey<Boolean> ABORT = AttributeKey.valueOf("eventhub.abort");

  private SocketRelease() {}

  /** Puts the rule on one accepted HTTP connection, behind the idle timer so that it sees its events. */
  public static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return; // not a socket Vert.x gives access to
    }
    Channel channel = base.channel();
    if (channel.pipeline().get("idle") != null) {
      channel.pipeline().addAfter("idle", "eventhub-release", INSTANCE);
    } else {
      channel.pipeline().addFirst("eventhub-release", INSTANCE);
    }
  }

  /**
   * Closes with RST at once: nothing more reaches the client, and nothing of it stays on the hub.
   * Vert.x's own close waits until everything written before it has gone out, which for a client
   * that does not read is never; this close starts at the pipeline's first handler, below Vert.x's,
   * which learns of it as of any other lost connection.
   */
  static void abort(Channel channel) {
    if (!channel.isOpen()) {
      return;
    }
    channel.attr(ABORT).set(Boolean.TRUE);
    lingerZero(channel);
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      channel.close();
    }
  }

  private static void lingerZero(Channel channel) {
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      // Closed meanwhile: nothing left to release.
    }
  }

  /**
   * A close frame is on its way: if the client has not closed within {@link #CLOSE_GRACE_MILLIS}
   * (it does not read, or does not answer), its socket is aborted.
   */
  static void abortUnlessClosed(Context context, Channel channel) {
    context.owner().setTimer(CLOSE_GRACE_MILLIS, id -> {
      if (channel.isOpen()) {
        abort(channel);
      }
    });
  }

  /** Idle for {@code http.idleTimeoutSeconds}: whatever still waits for the client is not going to be read. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      abort(ctx.channel());
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    Channel channel = ctx.channel();
    ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
    if (Boolean.TRUE.equals(channel.attr(ABORT).get()) || (unsent != null && unsent.totalPendingWriteBytes() > 0)) {
      lingerZero(channel);
    }
    super.close(ctx, promise);
  }
}
