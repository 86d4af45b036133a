package io.eventhub.transport;

import io.eventhub.protocol.WireFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.spi.metrics.TCPMetrics;

import java.nio.charset.StandardCharsets;

/**
 * The hub's end of a WebSocket it upgraded itself ({@link WebSocketUpgrade}): a Netty handler that
 * turns the decoded frames into whole text messages on the connection's context, answers pings and
 * close frames, and reports the socket's end once. Vert.x's WebSocket object is never made, and with
 * it goes its per-socket inbound and outbound message queues (two 1,024-slot arrays, about 9 KiB per
 * idle client); the hub writes its frames into the pipeline itself anyway ({@link WebSocketWire}).
 */
final class FrameSocket extends ChannelInboundHandlerAdapter {
  static final String HANDLER_NAME = "eventhub-websocket";

  private final ContextInternal context;
  private final WebSocketWire wire;
  private final int maxMessageBytes;
  private Handler<String> textHandler = text -> { };
  private Handler<String> binaryHandler = text -> { };
  private Handler<Void> closeHandler = v -> { };
  /** The parts of a message sent in fragments; made with the first one. */
  private CompositeByteBuf fragments;
  private boolean fragmentsAreText;
  private boolean closeSent;
  private boolean ended;
  /** When the client last sent a frame, of any kind (a pong too), in {@link System#nanoTime()}. */
  private volatile long lastHeardNanos = System.nanoTime();
  /** Counts the socket's end in Vert.x's connection metrics, once Vert.x no longer sees it. */
  private Runnable countEnd = () -> { };

  FrameSocket(ContextInternal context, Channel channel, int maxMessageBytes) {
    this.context = context;
    this.wire = new WebSocketWire(channel);
    this.maxMessageBytes = maxMessageBytes;
  }

  ContextInternal context() {
    return context;
  }

  WebSocketWire wire() {
    return wire;
  }

  void textMessageHandler(Handler<String> handler) {
    this.textHandler = handler;
  }

  /** Binary messages, as UTF-8 text; ignored unless set. */
  void binaryMessageHandler(Handler<String> handler) {
    this.binaryHandler = handler;
  }

  /** Called once, on the connection's context, whatever ended the socket. */
  void closeHandler(Handler<Void> handler) {
    this.closeHandler = handler;
  }

  /**
   * Sends a close frame after everything written before it; the socket closes when the client answers
   * it, or is aborted if the client has not within {@link SocketRelease#CLOSE_GRACE_MILLIS}.
   */
  void close(int code, String reason) {
    if (!closeSent && wire.open()) {
      closeSent = true;
      wire.write(WireFrames.closeFrame(code, reason));
      wire.abortUnlessClosed(context);
    }
  }

  void ping() {
    wire.writeShared(WireFrames.PING);
  }

  /** How long the client has sent nothing, not even a pong. */
  long silentNanos() {
    return System.nanoTime() - lastHeardNanos;
  }

  /**
   * Takes Vert.x's HTTP connection off the channel once it has written the 101: it would keep an
   * outbound message queue (a 1,024-slot array, about 4.6 KiB) per socket that the hub never uses.
   * What Vert.x would still do for the socket is counting its end in the server's metrics (the
   * active connections gauge): done here, with the connection's metric object kept for it.
   */
  void detach(ConnectionBase http) {
    if (http.metrics() instanceof TCPMetrics<?> metrics) {
      @SuppressWarnings("unchecked")
      TCPMetrics<Object> counted = (TCPMetrics<Object>) metrics;
      Object metric = http.metric();
      SocketAddress remote = http.remoteAddress();
      countEnd = () -> counted.disconnected(metric, remote);
    }
    ChannelPipeline pipeline = http.channel().pipeline();
    if (pipeline.get(VertxHandler.class) != null) {
      pipeline.remove(VertxHandler.class);
    }
    if (pipeline.get(ChunkedWriteHandler.class) != null) {
      pipeline.remove(ChunkedWriteHandler.class); // Vert.x's, for files sent in chunks
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    lastHeardNanos = System.nanoTime();
    try {
      read(ctx, frame);
    } finally {
      ReferenceCountUtil.release(frame);
    }
  }

  private void read(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      if (fragments != null) {
        protocolError("new message inside a fragmented one");
      } else if (frame.isFinalFragment()) {
        deliver(frame instanceof TextWebSocketFrame, frame.content());
      } else {
        fragmentsAreText = frame instanceof TextWebSocketFrame;
        fragments = ctx.alloc().compositeBuffer();
        append(frame);
      }
    } else if (frame instanceof ContinuationWebSocketFrame) {
      if (fragments == null) {
        protocolError("continuation without a message");
      } else if (append(frame) && frame.isFinalFragment()) {
        CompositeByteBuf message = fragments;
        fragments = null;
        try {
          deliver(fragmentsAreText, message);
        } finally {
          message.release();
        }
      }
    } else if (frame instanceof PingWebSocketFrame) {
      wire.write(WireFrames.pongFrame(frame.content()));
    } else if (frame instanceof CloseWebSocketFrame close) {
      if (!closeSent) {
        closeSent = true;
        int code = close.statusCode();
        wire.write(WireFrames.closeFrame(code == -1 ? WebSocketCloseStatus.NORMAL_CLOSURE.code() : code, ""));
      }
      ctx.close();
    }
    // A pong answers the hub's heartbeat: reading it is all it is for.
  }

  /** Adds a fragment, or closes with 1009 when the message grows past the limit. */
  private boolean append(WebSocketFrame frame) {
    if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
      fragments.release();
      fragments = null;
      close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
      return false;
    }
    fragments.addComponent(true, frame.content().retain());
    return true;
  }

  private void deliver(boolean text, ByteBuf content) {
    if (closeSent) {
      return;
    }
    String message = content.toString(StandardCharsets.UTF_8);
    context.dispatch(message, text ? textHandler : binaryHandler);
  }

  private void protocolError(String reason) {
    close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), reason);
  }


  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close(); // the release rule in front has seen it and makes it an abort
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException) {
      return; // the decoder refused a frame: it has sent the close frame (1002, 1009) and closes after it
    }
    SocketRelease.abort(ctx.channel()); // a broken socket
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    if (!ended) {
      ended = true;
      countEnd.run();
      context.dispatch(null, closeHandler);
    }
    ctx.fireChannelInactive(); // Vert.x's HTTP connection, until detached, counts the end itself
  }
}
