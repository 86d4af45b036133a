package io.eventhub.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What waits in the kernel's send queues of the hub's client sockets: the {@code tx_queue} of every
 * established TCP socket on the given local ports, from {@code /proc/net/tcp} and {@code tcp6} (bytes
 * written by the hub and not yet taken by the client). Neither Java nor Netty reads a socket's send
 * queue (SIOCOUTQ); Linux lists them all here, for the whole network namespace (the pod's). Read on a
 * worker thread: at 10,000 sockets it is about a megabyte of text.
 */
public final class SendQueues {
  private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
  private static final String ESTABLISHED = "01";

  private SendQueues() {}

  /** The total, or -1 where the kernel does not list its sockets (not Linux). */
  public static long bytes(Set<Integer> localPorts) {
    long total = 0;
    boolean read = false;
    for (Path table : TABLES) {
      if (!Files.isReadable(table)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(table)) {
        total += lines.skip(1).mapToLong(line -> queued(line, localPorts)).sum();
        read = true;
      } catch (IOException | RuntimeException e) {
        // A table that cannot be read counts for nothing; the other may still.
      }
    }
    return read ? total : -1;
  }

  /** {@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses and numbers in hex. */
  private static long queued(String line, Set<Integer> localPorts) {
    String[] fields = line.trim().split("\\s+", 6);
    if (fields.length < 5 || !ESTABLISHED.equals(fields[3])) {
      return 0;
    }
    String local = fields[1];
    int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
    if (!localPorts.contains(port)) {
      return 0;
    }
    String queues = fields[4];
    return Long.parseLong(queues.substring(0, queues.indexOf(':')), 16);
  }
}
