package io.eventhub.transport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel's send queues, read from /proc/net/tcp for real loopback sockets whose peer does not read. */
class SendQueuesTest {
  @Test
  @DisplayName("what waits for a client that does not read is found under its address, and only on the local ports asked for")
  void queuedBytesByPeer() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
         SocketChannel client = SocketChannel.open()) {
      client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      client.connect(server.getLocalAddress());
      try (SocketChannel accepted = server.accept()) {
        accepted.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long written = 0;
        for (int i = 0; i < 1000; i++) {
          chunk.clear();
          int n = accepted.write(chunk);
          if (n == 0) {
            break;
          }
          written += n;
        }
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        String peer = SendQueues.peerKey(accepted.getRemoteAddress());
        Map<String, Long> queues = SendQueues.byPeer(Set.of(port));
        assertTrue(queues.getOrDefault(peer, 0L) > 0, "queued for " + peer + " of " + written + " written: " + queues);
        assertTrue(queues.get(peer) <= written);
        assertFalse(SendQueues.byPeer(Set.of(port + 1)).containsKey(peer), "another port's sockets are not this one's");
      }
    }
  }

  @Test
  @DisplayName("a peer's key is written as the kernel's table writes it: address words in host order, port in hex")
  void peerKey() throws IOException {
    assertEquals("0100007F:1F90", SendQueues.peerKey(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080)));
    assertEquals("0200007F:0001", SendQueues.peerKey(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 1)));
    assertEquals("00000000000000000000000001000000:FFFF", SendQueues.peerKey(new InetSocketAddress(InetAddress.getByName("::1"), 65535)));
    assertNull(SendQueues.peerKey(InetSocketAddress.createUnresolved("example.com", 80)));
  }
}
