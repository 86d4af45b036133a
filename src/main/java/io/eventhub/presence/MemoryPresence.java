package io.eventhub.presence;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** Presence of a single instance, in its memory: no other member can come or go. */
public final class MemoryPresence implements PresenceHome {
  private static final String MEMBER = "local";

  private final Map<String, AddressState> addresses = new HashMap<>();

  @Override
  public synchronized Future<Changes> set(String address, Map<String, Integer> counts) {
    AddressState state = addresses.computeIfAbsent(address, a -> new AddressState());
    Changes changes = state.set(MEMBER, counts);
    if (state.isEmpty()) {
      addresses.remove(address);
    }
    return Future.succeededFuture(changes);
  }

  /** A copy taken under the lock, so the caller reads it while others change the original. */
  @Override
  public synchronized Future<AddressState> read(String address) {
    AddressState state = addresses.get(address);
    if (state == null) {
      return Future.succeededFuture();
    }
    return Future.succeededFuture(state.copy());
  }

  @Override
  public void watchMembers(BiConsumer<String, Changes> gone, Runnable rejoined) {
  }
}
