package io.eventhub.transport;

import io.eventhub.auth.AuthResult;
import io.eventhub.bridge.Bridge;
import io.eventhub.bridge.BridgeConnection;

import java.util.Map;

/**
 * A client on a WebSocket the hub upgraded itself ({@link WebSocketUpgrade}), whose frames it writes
 * into the Netty pipeline itself ({@link WebSocketWire}), in raw or SockJS framing.
 *
 * <p>A client whose network went away without a FIN (a cut cable, a sleeping laptop, a NAT that
 * forgot it) sends nothing more, but the hub's heartbeats still land in the kernel's buffers, so
 * neither a write error nor the HTTP idle timer (which counts the hub's own writes as activity) ever
 * ends it: it would keep its subscriptions and buffers for good. Every heartbeat is therefore a
 * WebSocket ping, which every client answers by itself (browsers too, under SockJS), and a client
 * that has sent nothing, not even a pong, for {@code http.idleTimeoutSeconds} is aborted.
 */
abstract class WebSocketConnection extends BridgeConnection {
  protected final FrameSocket socket;
  protected final WebSocketWire wire;
  /** How long the client may stay silent; 0: forever. */
  private final long silenceNanos;

  WebSocketConnection(Bridge bridge, FrameSocket socket, AuthResult auth, String transport, long silenceMillis) {
    super(bridge, socket.context(), auth, transport);
    this.socket = socket;
    this.wire = socket.wire();
    this.silenceNanos = silenceMillis * 1_000_000L;
    socket.closeHandler(v -> onTransportClosed());
  }

  @Override
  protected final void heartbeat() {
    if (closed()) {
      return;
    }
    if (silenceNanos > 0 && socket.silentNanos() > silenceNanos) {
      wire.abort();
      return;
    }
    socket.ping();
    keepAlive();
  }

  /** What the transport's framing sends besides the ping to keep its client and proxies content. */
  protected void keepAlive() {
  }

  @Override
  protected final boolean writeQueueFull() {
    return wire.full();
  }

  @Override
  protected final long outboundLagNanos(Map<String, Long> kernelQueues, long intervalNanos) {
    return wire.outboundLagNanos(kernelQueues, intervalNanos);
  }

  /**
   * The close frame goes after everything written before it, on the same channel. A client whose
   * queue is full would not read it for long, if ever: its socket is aborted instead, and so is one
   * that does not answer the close in time ({@link FrameSocket#close}).
   */
  @Override
  protected final void closeTransport(int code, String reason) {
    if (wire.full()) {
      wire.abort();
      return;
    }
    sendClose(code, reason);
  }

  /** Writes this transport's close frame and closes the socket. */
  protected abstract void sendClose(int code, String reason);
}
