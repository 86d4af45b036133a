package io.eventhub.bridge;

import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import io.eventhub.presence.Presence;
import io.eventhub.protocol.AddressGlob;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
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
  /** Whether presence tracks an address: {@code $presence:A} of an untracked A is refused, not left silent. */
  private final Predicate<String> tracked;

  private AddressRules(List<Pattern> subscribe, List<Pattern> publish, List<Pattern> send, Predicate<String> tracked) {
    this.subscribe = subscribe;
    this.publish = publish;
    this.send = send;
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
      compiled = new Compiled(permissions, Template.of(permissions.subscribe()), Template.of(permissions.publish()),
          Template.of(permissions.send()));
      lastCompiled = compiled;
    }
    return new AddressRules(compiled.subscribe().patterns(identity), compiled.publish().patterns(identity),
        compiled.send().patterns(identity), tracked);
  }

  /**
   * The permissions compiled once for every connection (they are configuration, fixed while the hub
   * runs): a connection compiles only its own {@code {userId}} patterns. One entry, by identity.
   */
  private record Compiled(HubConfig.Permissions permissions, Template subscribe, Template publish, Template send) {}

  private static volatile Compiled lastCompiled;

  /** One list of patterns: those without {@code {userId}} compiled, the others as glob pieces. */
  private record Template(List<Pattern> fixed, List<String[]> perUser) {
    static Template of(List<String> patterns) {
      List<Pattern> fixed = new ArrayList<>();
      List<String[]> perUser = new ArrayList<>();
      for (String pattern : patterns) {
        if (pattern.contains(AddressGlob.USER_ID)) {
          perUser.add(pattern.split(Pattern.quote(AddressGlob.USER_ID), -1));
        } else {
          fixed.add(Pattern.compile(AddressGlob.toRegex(pattern)));
        }
      }
      return new Template(List.copyOf(fixed), List.copyOf(perUser));
    }

    /** For an anonymous connection the {@code {userId}} patterns match nothing, so they are left out. */
    List<Pattern> patterns(Identity identity) {
      if (perUser.isEmpty() || identity.anonymous()) {
        return fixed;
      }
      List<Pattern> all = new ArrayList<>(fixed.size() + perUser.size());
      all.addAll(fixed);
      for (String[] pieces : perUser) {
        all.add(compile(pieces, identity));
      }
      return all;
    }
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
    return !reserved(address) && matches(subscribe, address);
  }

  public boolean mayPublish(String address) {
    return !reserved(address) && matches(publish, address);
  }

  public boolean maySend(String address) {
    return !reserved(address) && matches(send, address);
  }

  /**
   * {@code hub.*} carries the hub's own control messages (session revocation ids), {@code $...} the
   * hub's presence events: clients can never publish or send there, whatever the patterns say.
   */
  static boolean reserved(String address) {
    return address.startsWith(RESERVED_PREFIX) || address.startsWith(Presence.SNAPSHOT_ADDRESS);
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

  /** The user id is spliced in as a literal, so an id holding '*' or '.' cannot widen the pattern. */
  private static Pattern compile(String[] pieces, Identity identity) {
    StringBuilder regex = new StringBuilder(AddressGlob.toRegex(pieces[0]));
    for (int i = 1; i < pieces.length; i++) {
      regex.append(Pattern.quote(identity.userId())).append(AddressGlob.toRegex(pieces[i]));
    }
    return Pattern.compile(regex.toString());
  }
}
