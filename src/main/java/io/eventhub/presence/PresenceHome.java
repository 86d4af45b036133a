package io.eventhub.presence;

import io.vertx.core.Future;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where presence is kept: {@link MemoryPresence} for a single instance, {@link HazelcastPresence} for
 * a cluster, chosen once in {@code Hub}. A home holds one {@link AddressState} per tracked address with
 * anybody on it, and nothing for the others.
 */
public interface PresenceHome {
  /**
   * Sets this member's connections on {@code address} of the given users ({@link AddressState#ANONYMOUS}
   * for anonymous ones; 0: none left here); answers who joined or left, null when nothing changed.
   */
  Future<Changes> set(String address, Map<String, Integer> counts);

  /** The address's presence; null when nobody is there. */
  Future<AddressState> read(String address);

  /**
   * {@code gone} is told what changed when a member is gone with its users (the leaves to send), and
   * {@code rejoined} is run when this member must report its counts again (it was taken for gone).
   */
  void watchMembers(BiConsumer<String, Changes> gone, Runnable rejoined);
}
