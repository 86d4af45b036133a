package io.eventhub.transport;

import io.eventhub.protocol.JsonErrors;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

import java.util.Map;

/**
 * Turns an HTTP request into a WebSocket on its own channel, with Netty's RFC 6455 handshake, and puts
 * a {@link FrameSocket} in front of Vert.x's HTTP connection handler: the socket's frames stop there,
 * while the channel's end still reaches Vert.x (which counts the connection closed in its metrics).
 */
final class WebSocketUpgrade {
  private WebSocketUpgrade() {}

  /**
   * Upgrades on the request's own context; null when the request is no WebSocket handshake this hub
   * speaks, which has then been answered (400, or 426 for another protocol version).
   */
  static FrameSocket accept(HttpServerRequest request, int maxMessageBytes, int writeQueueMaxBytes) {
    String refusal = refusal(request);
    if (refusal != null) {
      JsonErrors.send(request.response(), 400, "bad_request", refusal);
      return null;
    }
    if (!"13".equals(request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      request.response().putHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
      JsonErrors.send(request.response(), 426, "upgrade_required", "WebSocket protocol version 13 (RFC 6455) only");
      return null;
    }
    Channel channel = ((ConnectionBase) request.connection()).channel();
    FrameSocket socket = new FrameSocket(((HttpServerRequestInternal) request).context(), channel, maxMessageBytes);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2, writeQueueMaxBytes));
    ChannelHandlerContext vertx = channel.pipeline().context(VertxHandler.class);
    channel.pipeline().addBefore(vertx.name(), FrameSocket.HANDLER_NAME, socket);
    WebSocketDecoderConfig decoding = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(maxMessageBytes)
        .build();
    // The location only matters to the pre-RFC drafts, which this handshaker does not speak.
    new WebSocketServerHandshaker13(null, null, decoding)
        .handshake(channel, nettyRequest(request), null, channel.newPromise());
    request.resume(); // paused while the session was looked up
    return socket;
  }

  /** Why {@code request} is no WebSocket handshake, or null. */
  private static String refusal(HttpServerRequest request) {
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaderNames.UPGRADE))) {
      return "not a WebSocket handshake: no \"Upgrade: websocket\" header";
    }
    String connection = request.getHeader(HttpHeaderNames.CONNECTION);
    if (connection == null || !connection.toLowerCase().contains("upgrade")) {
      return "not a WebSocket handshake: no \"Connection: Upgrade\" header";
    }
    String key = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (key == null || key.isBlank()) {
      return "not a WebSocket handshake: no Sec-WebSocket-Key header";
    }
    return null;
  }

  private static FullHttpRequest nettyRequest(HttpServerRequest request) {
    FullHttpRequest copy = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(), Unpooled.EMPTY_BUFFER);
    for (Map.Entry<String, String> header : request.headers()) {
      copy.headers().add(header.getKey(), header.getValue());
    }
    return copy;
  }
}
