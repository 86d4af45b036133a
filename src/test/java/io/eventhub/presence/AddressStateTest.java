package io.eventhub.presence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One address's presence as the homes keep it: what joins and leaves, whatever member writes. */
class AddressStateTest {

  @Test
  @DisplayName("a user joins with a first count on any member and leaves with the last; anonymous connections only count")
  void perUserAcrossMembers() {
    AddressState state = new AddressState();
    assertEquals(new Changes(List.of("7"), List.of(), 1, 1), state.set("m1", Map.of("7", 1)));
    assertEquals(new Changes(List.of(), List.of(), 3, 1), state.set("m2", Map.of("7", 2)));
    assertNull(state.set("m2", Map.of("7", 2)), "the same count again changes nothing");
    assertEquals(new Changes(List.of(), List.of(), 5, 1), state.set("m1", Map.of(AddressState.ANONYMOUS, 2, "7", 1)));
    assertEquals(new Changes(List.of(), List.of(), 4, 1), state.set("m1", Map.of("7", 0)));
    assertEquals(new Changes(List.of(), List.of("7"), 2, 0), state.set("m2", Map.of("7", 0)));
    assertEquals(new Changes(List.of(), List.of(), 0, 0), state.set("m1", Map.of(AddressState.ANONYMOUS, 0)));
    assertTrue(state.isEmpty(), "nothing left to keep");
  }

  @Test
  @DisplayName("a member gone takes its counts: leaves for users only it had, nothing for users elsewhere too")
  void memberGone() {
    AddressState state = new AddressState();
    state.set("m1", Map.of("7", 1, "8", 1));
    state.set("m2", Map.of("8", 1));
    assertNull(state.removeMembersBut(Set.of("m1", "m2")));
    assertEquals(new Changes(List.of(), List.of("7"), 1, 1), state.removeMembersBut(Set.of("m2")));
    assertEquals(new JsonObject().put("address", "room").put("connections", 1).put("userCount", 1)
        .put("users", new JsonArray().add(new JsonObject().put("userId", "8").put("connections", 1))),
        AddressState.toJson("room", state, 10));
  }

  @Test
  @DisplayName("past maxUsers a snapshot has counts only")
  void countsOnly() {
    AddressState state = new AddressState();
    state.set("m1", Map.of("7", 1, "8", 2, AddressState.ANONYMOUS, 3));
    assertEquals(new JsonObject().put("address", "room").put("connections", 6).put("userCount", 2)
        .put("users", new JsonArray()).put("countsOnly", true), AddressState.toJson("room", state, 1));
    assertEquals(new JsonObject().put("address", "room").put("connections", 0).put("userCount", 0)
        .put("users", new JsonArray()), AddressState.toJson("room", null, 1), "nobody: an empty snapshot");
  }
}
