package io.eventhub.transport;

import io.eventhub.protocol.JsonErrors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Turns an HTTP request into a WebSocket on its own channel (RFC 6455, with Netty's frame codecs): a
 * {@link FrameSocket} takes the socket's frames, Vert.x writes the 101 and is then taken off the
 * channel ({@link FrameSocket#detach}).
 */
final class WebSocketUpgrade {
  private WebSocketUpgrade() {}

  /**
   * Upgrades on the request's own context; null when the request is no WebSocket handshake this hub
   * speaks, which has then been answered (400, or 426 for another protocol version), or when its
   * connection is gone.
   */
  static FrameSocket accept(HttpServerRequest request, int maxMessageBytes, int writeQueueMaxBytes) {
    Channel channel = ((ConnectionBase) request.connection()).channel();
    if (!channel.isActive()) {
      // Gone while its session was looked up (a tab closed, the idle timeout): nobody to answer.
      return null;
    }
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
    FrameSocket socket = new FrameSocket(((HttpServerRequestInternal) request).context(), channel, maxMessageBytes);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2, writeQueueMaxBytes));
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(HttpContentCompressor.class) != null) {
      pipeline.remove(HttpContentCompressor.class);
    }
    pipeline.addBefore(pipeline.context(VertxHandler.class).name(), FrameSocket.HANDLER_NAME, socket);
    // From here on the client's bytes are frames; the 101 still goes out through the HTTP encoder.
    pipeline.replace(HttpRequestDecoder.class, "wsdecoder", new WebSocket13FrameDecoder(
        WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(maxMessageBytes).build()));
    // The encoder in front of the decoder: the close frame the decoder sends on a bad frame passes it.
    pipeline.addBefore("wsdecoder", "wsencoder", new WebSocket13FrameEncoder(false));
    String httpEncoder = pipeline.context(HttpResponseEncoder.class).name();
    // Vert.x writes the 101 itself and so is done with the request (its metrics count a response,
    // and it keeps no request or headers for the life of the socket).
    HttpServerResponse response = request.response()
        .setStatusCode(101)
        .putHeader(HttpHeaderNames.UPGRADE, "websocket")
        .putHeader(HttpHeaderNames.CONNECTION, "Upgrade")
        .putHeader(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, acceptKey(request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_KEY)));
    response.headersEndHandler(v -> response.headers().remove(HttpHeaderNames.CONTENT_LENGTH)); // none on a 1xx (RFC 9110)
    ConnectionBase http = (ConnectionBase) request.connection();
    response.end().onComplete(written -> {
      if (pipeline.get(httpEncoder) != null) {
        pipeline.remove(httpEncoder);
      }
      if (channel.isActive()) {
        socket.detach(http);
      }
    });
    request.resume(); // paused while the session was looked up
    return socket;
  }

  /** RFC 6455 section 4.2.2: the key with the protocol's GUID, SHA-1, base64. */
  private static String acceptKey(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key.trim() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
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
}
