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
  private static final String V4_MAPPED = "0000000000000000FFFF0000";

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
        appendHex(key, address[i] & 0xFF, 2);
      }
    }
    return appendHex(key.append(':'), inet.getPort(), 4).toString();
  }

  private static StringBuilder appendHex(StringBuilder to, int value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      to.append(HEX[(value >> shift) & 0xF]);
    }
    return to;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * {@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses and numbers in hex. Read
   * field by field (no regular expression): at 10,000 sockets this runs for every line, four times a
   * second while the hub delivers.
   */
  private static void add(String line, Set<Integer> localPorts, Map<String, Long> queues) {
    int[] fields = new int[10]; // start and end of the first five fields
    int at = 0;
    for (int field = 0; field < 5; field++) {
      while (at < line.length() && line.charAt(at) == ' ') {
        at++;
      }
      fields[2 * field] = at;
      while (at < line.length() && line.charAt(at) != ' ') {
        at++;
      }
      fields[2 * field + 1] = at;
      if (fields[2 * field] == at) {
        return;
      }
    }
    if (fields[7] - fields[6] != 2 || !line.startsWith(ESTABLISHED, fields[6])) {
      return;
    }
    int portAt = line.indexOf(':', fields[2]) + 1;
    if (portAt <= 0 || portAt >= fields[3]
        || !localPorts.contains(Integer.parseInt(line, portAt, fields[3], 16))) {
      return;
    }
    int sizesEnd = line.indexOf(':', fields[8]);
    if (sizesEnd < 0 || sizesEnd > fields[9]) {
      return;
    }
    long queued = Long.parseLong(line, fields[8], sizesEnd, 16);
    if (queued > 0) {
      int peerAt = fields[4];
      // A dual-stack socket lists an IPv4 peer as ::ffff:a.b.c.d; Java names it a.b.c.d.
      if (line.startsWith(V4_MAPPED, peerAt)) {
        peerAt += V4_MAPPED.length();
      }
      queues.put(line.substring(peerAt, fields[5]), queued);
    }
  }
}
