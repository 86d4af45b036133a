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
      "room.(x), , room.x, false"})
  @DisplayName("patterns: * within a segment, ** across segments, {userId} as a literal, anonymous never matches it")
  void matches(String pattern, String userId, String address, boolean expected) {
    Identity identity = userId == null ? Identity.ANONYMOUS : new Identity(userId, Set.of());
    AddressRules rules = AddressRules.of(new HubConfig.Permissions(List.of(pattern), List.of(), List.of()), identity);
    assertEquals(expected, rules.maySubscribe(address));
    assertEquals(false, rules.mayPublish(address), "publish has its own list");
  }
}
