package io.eventhub.bridge;

import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which addresses one connection may subscribe, publish and send to. A pattern is an exact address
 * or uses {@code *} (any run of characters within one dot-separated segment) and {@code **} (anything,
 * dots included). {@code {userId}} is replaced by the connection's user id; for an anonymous
 * connection such a pattern matches nothing, so a missing identity can never widen access.
 */
public final class AddressRules {
  private final List<Pattern> subscribe;
  private final List<Pattern> publish;
  private final List<Pattern> send;

  private AddressRules(List<Pattern> subscribe, List<Pattern> publish, List<Pattern> send) {
    this.subscribe = subscribe;
    this.publish = publish;
    this.send = send;
  }

  public static AddressRules of(HubConfig.Permissions permissions, Identity identity) {
    return new AddressRules(
        compile(permissions.subscribe(), identity),
        compile(permissions.publish(), identity),
        compile(permissions.send(), identity));
  }

  public boolean maySubscribe(String address) {
    return !reserved(address) && matches(subscribe, address);
  }

  public boolean mayPublish(String address) {
    return !reserved(address) && matches(publish, address);
  }

  public boolean maySend(String address) {
    return !reserved(address) && matches(send, address);
  }

  /**
   * {@code hub.*} carries the hub's own control messages (session revocation ids): clients can never
   * use it, whatever the patterns say.
   */
  static boolean reserved(String address) {
    return address.startsWith(RESERVED_PREFIX);
  }

  public static final String RESERVED_PREFIX = "hub.";

  private static boolean matches(List<Pattern> patterns, String address) {
    for (Pattern pattern : patterns) {
      if (pattern.matcher(address).matches()) {
        return true;
      }
    }
    return false;
  }

  private static List<Pattern> compile(List<String> patterns, Identity identity) {
    return patterns.stream()
        .filter(p -> !p.contains(USER_ID) || !identity.anonymous())
        .map(p -> compile(p, identity))
        .toList();
  }

  /** The user id is spliced in as a literal, so an id holding '*' or '.' cannot widen the pattern. */
  private static Pattern compile(String pattern, Identity identity) {
    String[] pieces = pattern.split(Pattern.quote(USER_ID), -1);
    StringBuilder regex = new StringBuilder(globToRegex(pieces[0]));
    for (int i = 1; i < pieces.length; i++) {
      regex.append(Pattern.quote(identity.userId())).append(globToRegex(pieces[i]));
    }
    return Pattern.compile(regex.toString());
  }

  private static String globToRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (glob.charAt(i) == '*') {
        regex.append("[^.]*");
        i++;
      } else {
        int star = glob.indexOf('*', i);
        int end = star < 0 ? glob.length() : star;
        regex.append(Pattern.quote(glob.substring(i, end)));
        i = end;
      }
    }
    return regex.toString();
  }

  private static final String USER_ID = "{userId}";
}
