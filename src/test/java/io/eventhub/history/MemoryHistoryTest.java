package io.eventhub.history;

import io.eventhub.config.HubConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory home on its own: bounds, expiry, and a new epoch once a stream's history is gone. */
class MemoryHistoryTest {
  final Vertx vertx = Vertx.vertx();
  final MemoryHistory history = new MemoryHistory(vertx, new HubConfig.History(List.of(
      new HubConfig.Stream("user.{userId}.notices", 3, 1), new HubConfig.Stream("room.**", 10, 60))));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("patterns: {userId} is one segment, ** anything, first match wins, others are no stream")
  void patterns() {
    assertEquals(3, history.streamOf("user.42.notices").size());
    assertNull(history.streamOf("user.4.2.notices"));
    assertEquals(10, history.streamOf("room.a.b").size());
    assertNull(history.streamOf("chat.a"));
  }

  @Test
  @DisplayName("at most size events are kept; expired ones go; a forgotten stream starts a new epoch")
  void boundsAndEpochs() {
    String address = "user.7.notices";
    HubConfig.Stream stream = history.streamOf(address);
    Position first = null;
    for (int i = 1; i <= 5; i++) {
      Position position = history.append(address, stream, i, null, p -> { }).await();
      first = first == null ? position : first;
      assertEquals(i, position.offset());
    }
    Read kept = history.read(address, null, 100).await();
    assertEquals(List.of(3, 4, 5), kept.events().stream().map(StoredEvent::body).toList());
    assertFalse(history.read(address, first, 100).await().available(), "trimmed");
    assertTrue(history.read(address, new Position(first.epoch(), 2), 100).await().available(), "just kept");

    history.sweep(System.currentTimeMillis() + 2_000);
    Read after = history.read(address, new Position(first.epoch(), 5), 100).await();
    assertFalse(after.available(), "an old position never matches a stream whose history was lost");
    assertNotEquals(first.epoch(), after.position().epoch());
    assertEquals(0, after.position().offset());
  }
}
