package io.eventhub.bridge;

import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import io.eventhub.presence.Presence;
import io.eventhub.protocol.AddressMatcher;

import java.util.List;
import java.util.function.Predicate;

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
  /** Whether presence tracks an address: {@code $presence:A} of an untracked A is refused, not left silent. */
  private final Predicate<String> tracked;

  private AddressRules(Compiled compiled, String userId, Predicate<String> tracked) {
    this.compiled = compiled;
    this.userId = userId;
    this.tracked = tracked;
  }

  /** The rules without presence: every {@code $presence:} address is refused. */
  public static AddressRules of(HubConfig.Permissions permissions, Identity identity) {
    return of(permissions, identity, address -> false);
  }

  /** {@code tracked}: the addresses presence tracks ({@code presence.patterns}). */
  public static AddressRules of(HubConfig.Permissions permissions, Identity identity, Predicate<String> tracked) {
    Compiled compiled = lastCompiled;
    if (compiled == null || compiled.permissions() != permissions) {
      compiled = new Compiled(permissions, compile(permissions.subscribe()), compile(permissions.publish()),
          compile(permissions.send()));
      lastCompiled = compiled;
    }
    return new AddressRules(compiled, identity.anonymous() ? null : identity.userId(), tracked);
  }

  /** The permissions (configuration, fixed while the hub runs) compiled once; one entry, by identity. */
  private record Compiled(HubConfig.Permissions permissions, List<AddressMatcher> subscribe, List<AddressMatcher> publish,
                          List<AddressMatcher> send) {}

  private static volatile Compiled lastCompiled;

  private static List<AddressMatcher> compile(List<String> patterns) {
    return patterns.stream().map(AddressMatcher::of).toList();
  }

  /**
   * {@code $presence:A} (the joins and leaves of A) is open to whoever may subscribe to A, when
   * presence tracks A; it is the only {@code $} address a client may subscribe to.
   */
  public boolean maySubscribe(String address) {
    if (address.startsWith(Presence.STREAM_PREFIX)) {
      String watched = address.substring(Presence.STREAM_PREFIX.length());
      return !watched.startsWith(Presence.SNAPSHOT_ADDRESS) && tracked.test(watched) && maySubscribe(watched);
    }
    return !reserved(address) && matches(compiled.subscribe(), address);
  }

  public boolean mayPublish(String address) {
    return !reserved(address) && matches(compiled.publish(), address);
  }

  public boolean maySend(String address) {
    return !reserved(address) && matches(compiled.send(), address);
  }

  /**
   * {@code hub.*} carries the hub's own control messages (session revocation ids), {@code $...} the
   * hub's presence events: clients can never publish or send there, whatever the patterns say.
   */
  static boolean reserved(String address) {
    return address.startsWith(RESERVED_PREFIX) || address.startsWith(Presence.SNAPSHOT_ADDRESS);
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
