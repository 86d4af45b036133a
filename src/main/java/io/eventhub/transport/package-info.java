/**
 * The three ways a client's frames travel, each a connection type for the bridge:
 * {@link io.eventhub.transport.RawWebSocketConnection} ({@code /eventbus/websocket}, one bridge frame per
 * text frame), {@link io.eventhub.transport.SockJsWebSocketConnection} (SockJS's websocket transport,
 * {@code /eventbus/<server>/<session>/websocket}, the one browsers use) and
 * {@link io.eventhub.transport.SockJsSessionConnection} (the SockJS fallbacks: xhr-streaming,
 * xhr-polling, eventsource, htmlfile, jsonp). {@link io.eventhub.transport.Transports} is the entry point. The two
 * WebSocket types share {@code WebSocketConnection}: the hub's own writes, a close that lets go, and
 * the heartbeat: a WebSocket ping on both (plus SockJS's {@code h}), and a client that has sent nothing,
 * not even a pong, for {@code http.idleTimeoutSeconds} is taken for cut off and aborted. The HTTP idle
 * timer alone cannot see that: the hub's pings count as activity, and they land in the kernel's
 * buffers whether anyone reads them or not.
 *
 * <p>The SockJS websocket transport is framed here, not by vertx-web ({@code o}, {@code h},
 * {@code a[...]}, {@code c[code,"reason"]}), so that every socket can receive the same pre-built bytes
 * without per-socket escaping. The fallbacks keep vertx-web's SockJS sessions, which frame and escape
 * each message themselves; they serve the rare browser without WebSocket. vertx-web would close those
 * sessions with 3000 whatever the reason and writes {@code o} before the hub can refuse one, so the hub
 * answers refused handshakes itself in each transport's framing ({@code SockJsTransport}: the close
 * frame {@code c[code,"reason"]} alone) and closes open sessions through {@code SockJsSessionSocket},
 * which gets the hub's code to the client on its open stream or its next poll ({@code SockJsSessions}).
 *
 * <p>The hub upgrades WebSockets itself ({@code WebSocketUpgrade}, RFC 6455 with Netty's frame codecs):
 * Vert.x writes the 101 and is then taken off the channel, and a {@code FrameSocket} (one small Netty
 * handler) turns frames into messages on the connection's context, answers pings and close frames and
 * counts the socket's end in Vert.x's connection gauge. Vert.x's WebSocket and HTTP connection objects,
 * with their message queues (two 1,024-slot arrays among them: 13 KiB per idle client), are never kept:
 * an idle subscribed client is 3.3 KiB of live heap (16.5 before).
 *
 * <p>{@code WebSocketWire}: server-to-client WebSocket frames are not masked, so
 * the bytes of a turn's frames are the same for every socket. They are built once, in direct memory,
 * ({@link io.eventhub.protocol.WireFrames}), and each socket writes a retained view of them into its Netty pipeline at the WebSocket frame
 * encoder's context, past the handlers (Vert.x's, the idle timer, the encoder's own type checks) that
 * would only pass the bytes on, still through TLS when there is TLS, and flushes once: one system call
 * per socket and batch, instead of Vert.x re-framing, copying and flushing every frame per socket.
 */
package io.eventhub.transport;
