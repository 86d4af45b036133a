package io.eventhub.bridge;

import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import io.eventhub.protocol.AddressMatcher;

import java.util.List;

/**
 * Which addresses one connection may subscribe, publish and send to. A pattern is an exact address
 * or uses {@code *} (any run of characters within one dot-separated segment) and {@code **} (anything,
 * dots included). {@code {userId}} stands for the connection's user id; for an anonymous connection
 * such a pattern matches nothing, so a missing identity can never widen access. The patterns are
 * compiled once for all connections: one holds only them and its user id.
 */
public final class AddressRules {
  private final Compiled compiled;
  private final String userId;

  private AddressRules(Compiled compiled, String userId) {
    this.compiled = compiled;
    this.userId = userId;
  }

  public static AddressRules of(HubConfig.Permissions permissions, Identity identity) {
    Compiled compiled = lastCompiled;
    if (compiled == null || compiled.permissions() != permissions) {
      compiled = new Compiled(permissions, compile(permissions.subscribe()), compile(permissions.publish()),
          compile(permissions.send()));
      lastCompiled = compiled;
    }
    return new AddressRules(compiled, identity.anonymous() ? null : identity.userId());
  }

  /** The permissions (configuration, fixed while the hub runs) compiled once; one entry, by identity. */
  private record Compiled(HubConfig.Permissions permissions, List<AddressMatcher> subscribe, List<AddressMatcher> publish,
                          List<AddressMatcher> send) {}

  private static volatile Compiled lastCompiled;

  private static List<AddressMatcher> compile(List<String> patterns) {
    return patterns.stream().map(AddressMatcher::of).toList();
  }

  public boolean maySubscribe(String address) {
    return !reserved(address) && matches(compiled.subscribe(), address);
  }

  public boolean mayPublish(String address) {
    return !reserved(address) && matches(compiled.publish(), address);
  }

  public boolean maySend(String address) {
    return !reserved(address) && matches(compiled.send(), address);
  }

  /**
   * {@code hub.*} carries the hub's own control messages (session revocation ids): clients can never
   * use it, whatever the patterns say.
   */
  static boolean reserved(String address) {
    return address.startsWith(RESERVED_PREFIX);
  }

  public static final String RESERVED_PREFIX = "hub.";

  private boolean matches(List<AddressMatcher> patterns, String address) {
    for (AddressMatcher pattern : patterns) {
      if (pattern.matches(address, userId)) {
        return true;
      }
    }
    return false;
  }
}
