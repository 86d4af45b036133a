package io.eventhub.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hostile raw WebSocket client: plain TCP with a small receive buffer, it upgrades, subscribes,
 * waits until the hub has handled that, and from then on never reads again.
 */
final class StalledSocket implements AutoCloseable {
  private final Socket socket;

  private StalledSocket(Socket socket) {
    this.socket = socket;
  }

  static StalledSocket subscribe(int port, String address) {
    try {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String response = readUntil(socket.getInputStream(), "\r\n\r\n");
      if (!response.startsWith("HTTP/1.1 101")) {
        throw new AssertionError("upgrade refused: " + response);
      }
      out.write(textFrame("{\"type\":\"register\",\"address\":\"" + address + "\"}"));
      // The barrier: an address no test may use always comes back as access_denied, after the register.
      out.write(textFrame("{\"type\":\"register\",\"address\":\"sync.barrier\"}"));
      out.flush();
      readUntil(socket.getInputStream(), "sync.barrier");
      return new StalledSocket(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For a test that reads after all, at its own pace. */
  InputStream input() {
    try {
      return socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The client's own port: the peer port of the hub's side of this connection. */
  int localPort() {
    return socket.getLocalPort();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // gone already
    }
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    for (int i = 0; i < 65_536; i++) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      seen.write(b);
      if (seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
        return seen.toString(StandardCharsets.ISO_8859_1);
      }
    }
    throw new AssertionError("no \"" + marker + "\" from the hub; got " + seen.toString(StandardCharsets.ISO_8859_1));
  }

  /** A masked client text frame (payload under 126 bytes). */
  private static byte[] textFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }
}
