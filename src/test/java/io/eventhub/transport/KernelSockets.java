package io.eventhub.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the kernel holds for TCP: its socket table and its TCP memory, read from /proc. */
final class KernelSockets {
  private static final String LISTEN = "0A";

  private KernelSockets() {}

  /** The peer ports of every non-listening socket whose local port is {@code port}: the hub's side of its clients. */
  static Set<Integer> peersOf(int port) {
    Set<Integer> peers = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : lines(table)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[1].contains(":") || f[3].equals(LISTEN)) {
          continue;
        }
        if (port(f[1]) == port) {
          peers.add(port(f[2]));
        }
      }
    }
    return peers;
  }

  /** The kernel's TCP memory in pages ({@code TCP: ... mem N} of /proc/net/sockstat). */
  static long tcpMemPages() {
    for (String line : lines("/proc/net/sockstat")) {
      if (line.startsWith("TCP:")) {
        String[] f = line.trim().split("\\s+");
        for (int i = 1; i + 1 < f.length; i++) {
          if (f[i].equals("mem")) {
            return Long.parseLong(f[i + 1]);
          }
        }
      }
    }
    throw new AssertionError("no TCP mem in /proc/net/sockstat");
  }

  /** For a failure message: the first of the hub's sockets as {@code ss} shows them, and /proc/net/sockstat. */
  static String describe(int port) {
    try {
      Process ss = new ProcessBuilder("sh", "-c", "ss -tnm state all '( sport = :" + port + " )' | head -12; cat /proc/net/sockstat")
          .redirectErrorStream(true).start();
      return new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(ss: " + e + ")";
    }
  }

  private static int port(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
