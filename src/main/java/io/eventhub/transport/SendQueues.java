package io.eventhub.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What waits in the kernel's send queues of the hub's client sockets: the {@code tx_queue} of every
 * established TCP socket on the given local ports, by peer, from {@code /proc/net/tcp} and {@code tcp6}
 * (bytes written by the hub and not yet taken by the client). Neither Java nor Netty reads a socket's send
 * queue (SIOCOUTQ); Linux lists them all here, for the whole network namespace (the pod's). Read on a
 * worker thread: at 10,000 sockets it is about a megabyte of text.
 */
public final class SendQueues {
  private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
  private static final String ESTABLISHED = "01";

  private SendQueues() {}

  /** By peer ({@link #peerKey}); empty where the kernel does not list its sockets (not Linux). */
  public static Map<String, Long> byPeer(Set<Integer> localPorts) {
    Map<String, Long> queues = new HashMap<>();
    for (Path table : TABLES) {
      if (!Files.isReadable(table)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(table)) {
        lines.skip(1).forEach(line -> add(line, localPorts, queues));
      } catch (IOException | RuntimeException e) {
        // A table that cannot be read counts for nothing; the other may still.
      }
    }
    return queues;
  }

  /**
   * A peer as the kernel's tables write it: the address's bytes in hex, each 32-bit word in the host's
   * (little-endian) order, a colon, the port in hex; null for another kind of address.
   */
  static String peerKey(SocketAddress peer) {
    if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return null;
    }
    byte[] address = inet.getAddress().getAddress();
    StringBuilder key = new StringBuilder(address.length * 2 + 5);
    for (int word = 0; word < address.length; word += 4) {
      for (int i = word + 3; i >= word; i--) {
        key.append(Character.toUpperCase(Character.forDigit((address[i] >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(address[i] & 0xF, 16)));
      }
    }
    return key.append(':').append(String.format("%04X", inet.getPort())).toString();
  }

  /** {@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses and numbers in hex. */
  private static void add(String line, Set<Integer> localPorts, Map<String, Long> queues) {
    String[] fields = line.trim().split("\\s+", 6);
    if (fields.length < 5 || !ESTABLISHED.equals(fields[3])) {
      return;
    }
    String local = fields[1];
    if (!localPorts.contains(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16))) {
      return;
    }
    String sizes = fields[4];
    long queued = Long.parseLong(sizes.substring(0, sizes.indexOf(':')), 16);
    if (queued > 0) {
      queues.put(fields[2], queued);
    }
  }
}
