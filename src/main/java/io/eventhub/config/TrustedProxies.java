package io.eventhub.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * {@code http.trustedProxies}: the proxies whose {@code X-Forwarded-*} headers the hub believes, each an
 * address ({@code 127.0.0.1}) or a range ({@code 10.0.0.0/8}). A range fits where the proxies' addresses
 * change (Apache pods on Kubernetes) and nothing else can reach the hub's port (a NetworkPolicy).
 */
public final class TrustedProxies {
  /** Only literal addresses: a host name here would be looked up in DNS, at start and on every check. */
  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = prefixBits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest) & 0xFF;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /** Reads the entries; each one that is neither an address nor a range is reported to {@code problem}. */
  static TrustedProxies of(List<String> entries, BiConsumer<Integer, String> problem) {
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i).trim();
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      byte[] bytes = literal(address);
      if (bytes == null) {
        problem.accept(i, "\"" + entry + "\" is not an IP address or range like 10.0.0.0/8");
        continue;
      }
      int bits = bytes.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > bytes.length * 8) {
          problem.accept(i, "\"" + entry + "\" has a prefix length outside 0 to " + bytes.length * 8);
          continue;
        }
      }
      ranges.add(new Range(bytes, bits));
    }
    return new TrustedProxies(ranges);
  }

  /** Whether {@code address} (as a socket reports it, or an X-Forwarded-For entry) is a trusted proxy. */
  public boolean contains(String address) {
    if (address == null || ranges.isEmpty()) {
      return false;
    }
    byte[] bytes = literal(address.trim());
    if (bytes == null) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] literal(String address) {
    if (address.isEmpty() || !LITERAL.matcher(address).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
