package io.eventhub.presence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who is on one tracked address, for the whole cluster: each member's connections per user (anonymous
 * connections under {@link #ANONYMOUS}) and the totals. Changed only by a member setting its own
 * counts or by the removal of a member that is gone, each atomically (one Hazelcast entry, or the
 * memory home's lock), so a user joins exactly when the first of their connections anywhere arrives
 * and leaves with the last. The size is bounded by users and members, never by events.
 */
public final class AddressState implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;
  /** The key anonymous connections are counted under: never a user id, so never joins or leaves. */
  public static final String ANONYMOUS = "";

  private final HashMap<String, HashMap<String, Integer>> members = new HashMap<>();
  private final HashMap<String, Integer> totals = new HashMap<>();
  private int connections;

  /**
   * Sets {@code member}'s connections of the given users (0: none left there); answers who joined
   * or left the address as a whole, or null when nothing changed.
   */
  Changes set(String member, Map<String, Integer> counts) {
    List<String> joined = new ArrayList<>();
    List<String> left = new ArrayList<>();
    HashMap<String, Integer> mine = members.computeIfAbsent(member, m -> new HashMap<>());
    boolean changed = false;
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      int now = Math.max(0, entry.getValue());
      Integer before = now == 0 ? mine.remove(entry.getKey()) : mine.put(entry.getKey(), now);
      int delta = now - (before == null ? 0 : before);
      if (delta != 0) {
        changed = true;
        change(entry.getKey(), delta, joined, left);
      }
    }
    if (mine.isEmpty()) {
      members.remove(member);
    }
    return changed ? new Changes(joined, left, connections, users()) : null;
  }

  /** Takes away everything the members not in {@code live} counted (they are gone); null when none did. */
  Changes removeMembersBut(Set<String> live) {
    List<String> joined = new ArrayList<>();
    List<String> left = new ArrayList<>();
    boolean changed = false;
    for (String member : List.copyOf(members.keySet())) {
      if (!live.contains(member)) {
        changed = true;
        members.remove(member).forEach((user, count) -> change(user, -count, joined, left));
      }
    }
    return changed ? new Changes(joined, left, connections, users()) : null;
  }

  private void change(String user, int delta, List<String> joined, List<String> left) {
    connections += delta;
    int before = totals.getOrDefault(user, 0);
    int after = before + delta;
    if (after <= 0) {
      totals.remove(user);
    } else {
      totals.put(user, after);
    }
    if (!ANONYMOUS.equals(user)) {
      if (before == 0 && after > 0) {
        joined.add(user);
      } else if (before > 0 && after <= 0) {
        left.add(user);
      }
    }
  }

  AddressState copy() {
    AddressState copy = new AddressState();
    members.forEach((member, users) -> copy.members.put(member, new HashMap<>(users)));
    copy.totals.putAll(totals);
    copy.connections = connections;
    return copy;
  }

  /** Nobody left: the entry can go. */
  boolean isEmpty() {
    return members.isEmpty();
  }

  public int connections() {
    return connections;
  }

  /** Distinct users (anonymous connections are no user). */
  public int users() {
    return totals.size() - (totals.containsKey(ANONYMOUS) ? 1 : 0);
  }

  /**
   * The snapshot of the contract: {@code {"address", "connections", "userCount", "users": [{"userId",
   * "connections"}]}}, users in id order; past {@code maxUsers} users the list is empty and
   * {@code "countsOnly": true}.
   */
  public static JsonObject toJson(String address, AddressState state, int maxUsers) {
    JsonArray users = new JsonArray();
    int userCount = state == null ? 0 : state.users();
    JsonObject json = new JsonObject().put("address", address)
        .put("connections", state == null ? 0 : state.connections).put("userCount", userCount);
    if (userCount > maxUsers) {
      return json.put("users", users).put("countsOnly", true);
    }
    if (state != null) {
      new TreeMap<>(state.totals).forEach((user, count) -> {
        if (!ANONYMOUS.equals(user)) {
          users.add(new JsonObject().put("userId", user).put("connections", count));
        }
      });
    }
    return json.put("users", users);
  }
}
