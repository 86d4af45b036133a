package io.eventhub.bridge;

import io.eventhub.auth.Identity;
import io.eventhub.config.HubConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AddressRulesTest {

  @org.junit.jupiter.api.Test
  @DisplayName("hub.* is the hub's own: never for clients, even under a catch-all pattern")
  void reservedAddresses() {
    AddressRules rules = AddressRules.of(new HubConfig.Permissions(List.of("**"), List.of("**"), List.of("**")),
        new Identity("7", Set.of()));
    assertEquals(false, rules.maySubscribe("hub.session.revoked"));
    assertEquals(false, rules.mayPublish("hub.session.revoked"));
    assertEquals(false, rules.maySend("hub.session.revoked"));
    assertEquals(true, rules.maySubscribe("anything.else"));
  }

  @org.junit.jupiter.api.Test
  @DisplayName("$presence:A is open to subscribers of A only, when tracked; $presence names are never publishable or sendable, even under **")
  void presenceAddresses() {
    AddressRules rules = AddressRules.of(new HubConfig.Permissions(List.of("room.*", "user.{userId}"), List.of("**", "*"),
        List.of("**")), new Identity("7", Set.of()), address -> !address.equals("room.untracked"));
    assertEquals(true, rules.maySubscribe("$presence:room.a"));
    assertEquals(false, rules.maySubscribe("$presence:room.untracked"), "nothing would ever come: refused");
    assertEquals(true, rules.maySubscribe("$presence:user.7"));
    assertEquals(false, rules.maySubscribe("$presence:user.8"));
    assertEquals(false, rules.maySubscribe("$presence:secret"));
    assertEquals(false, rules.maySubscribe("$presence:$presence:room.a"));
    assertEquals(false, rules.mayPublish("$presence:room.a"));
    assertEquals(false, rules.mayPublish("$presence"));
    assertEquals(false, rules.maySend("$presence:room.a"));
    assertEquals(true, rules.mayPublish("room.a"));
  }

  @org.junit.jupiter.api.Test
  @DisplayName("one configuration, compiled once, still gives each user their own {userId} patterns")
  void sharedPermissionsPerUser() {
    HubConfig.Permissions permissions = new HubConfig.Permissions(List.of("news.*", "user.{userId}.*"), List.of(), List.of());
    AddressRules seven = AddressRules.of(permissions, new Identity("7", Set.of()));
    AddressRules eight = AddressRules.of(permissions, new Identity("8", Set.of()));
    AddressRules anonymous = AddressRules.of(permissions, Identity.ANONYMOUS);
    assertEquals(true, seven.maySubscribe("user.7.inbox"));
    assertEquals(false, seven.maySubscribe("user.8.inbox"));
    assertEquals(true, eight.maySubscribe("user.8.inbox"));
    assertEquals(false, eight.maySubscribe("user.7.inbox"));
    assertEquals(false, anonymous.maySubscribe("user.7.inbox"));
    assertEquals(true, anonymous.maySubscribe("news.sport"));
    assertEquals(true, seven.maySubscribe("news.sport"));
    // Another configuration (a test, a reload) is compiled afresh, not served from the last one.
    AddressRules other = AddressRules.of(new HubConfig.Permissions(List.of("chat"), List.of(), List.of()),
        new Identity("7", Set.of()));
    assertEquals(false, other.maySubscribe("news.sport"));
    assertEquals(true, other.maySubscribe("chat"));
  }

  @org.junit.jupiter.api.Test
  @DisplayName("an address of 60,000 characters against many wildcards: answered (linear, no backtracking)")
  void longAddresses() {
    AddressRules rules = AddressRules.of(new HubConfig.Permissions(List.of("**.*.**.*.**.{userId}.x"), List.of(), List.of()),
        new Identity("7", Set.of()));
    assertEquals(false, rules.maySubscribe(".".repeat(60_000) + "7.y"));
    assertEquals(true, rules.maySubscribe("a.".repeat(30_000) + "7.x"));
  }

  @ParameterizedTest(name = "{0} as user {1} on {2}: {3}")
  @CsvSource({
      "news.*, , news.sport, true",
      "news.*, , news.sport.football, false",
      "news.*, , news, false",
      "news.**, , news.sport.football, true",
      "chat, , chat, true",
      "chat, , chatter, false",
      "a.b*c, , a.bxxc, true",
      "user.{userId}.*, 7, user.7.inbox, true",
      "user.{userId}.*, 7, user.8.inbox, false",
      "user.{userId}.*, , user..inbox, false",
      "user.{userId}.*, , user.{userId}.inbox, false",
      "user.{userId}.*, 7*, user.7x.inbox, false",
      "user.{userId}.*, 7*, user.7*.inbox, true",
      "room.(x), , room.(x), true",
      "room.(x), , room.x, false",
      "user.{userId}.*, a.b, user.a.b.inbox, true",
      "user.{userId}.*, a.b, user.a.c.inbox, false",
      "**.{userId}, 7, a.b.7, true",
      "**.{userId}, 7, a.b.77, false",
      "{userId}.**, 7, 7.a.b, true",
      "*.*.x, , a..x, true",
      "*.*.x, , a.b.c.x, false",
      "a**b, , a.x.y.b, true",
      "**, , '', true",
      "*, , '', true",
      "a, , '', false"})
  @DisplayName("patterns: * within a segment, ** across segments, {userId} as a literal, anonymous never matches it")
  void matches(String pattern, String userId, String address, boolean expected) {
    Identity identity = userId == null ? Identity.ANONYMOUS : new Identity(userId, Set.of());
    AddressRules rules = AddressRules.of(new HubConfig.Permissions(List.of(pattern), List.of(), List.of()), identity);
    assertEquals(expected, rules.maySubscribe(address));
    assertEquals(false, rules.mayPublish(address), "publish has its own list");
  }
}
