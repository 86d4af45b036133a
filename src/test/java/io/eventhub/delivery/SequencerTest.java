package io.eventhub.delivery;

import io.eventhub.config.HubConfig;
import io.eventhub.history.ClusterIntake;
import io.eventhub.history.MemoryHistory;
import io.eventhub.history.Position;
import io.eventhub.protocol.OutboundFrame;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequencer's side of events services in other JVMs publish on the bus: the copy without a
 * position waits for the intake's positioned one, whichever comes first, and goes out as it came when
 * none comes. On a real Vert.x context, with the in-memory history.
 */
class SequencerTest {
  static final String ADDRESS = "test.stream.sequencer";
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("an event and its intake copy, in either order, go out once, with the position")
  void heldCopyMatchesIntakeCopy() throws InterruptedException {
    Delivered out = new Delivered();
    Sequencer sequencer = started(out);
    Position first = new Position("e", 1);
    Position second = new Position("e", 2);
    Context context = out.context;
    context.runOnContext(v -> {
      sequencer.acceptUnpositioned(body(1), frame(1, null));
      sequencer.acceptIntakeCopy(body(1), first, frame(1, first));
      // The copy may overtake the event it copies: the late original is dropped.
      sequencer.acceptIntakeCopy(body(2), second, frame(2, second));
      sequencer.acceptUnpositioned(body(2), frame(2, null));
    });
    assertEquals("1 e:1", out.next(5000));
    assertEquals("2 e:2", out.next(5000));
    assertNull(out.next(ClusterIntake.HOLD_MILLIS + 1000), "nothing held is released later");
  }

  @Test
  @DisplayName("an event no intake copies goes out as it came after the hold, in the order events came")
  void releasedWithoutIntake() throws InterruptedException {
    Delivered out = new Delivered();
    Sequencer sequencer = started(out);
    long start = System.nanoTime();
    out.context.runOnContext(v -> {
      sequencer.acceptUnpositioned(body(1), frame(1, null));
      sequencer.acceptUnpositioned(body(2), frame(2, null));
    });
    assertEquals("1 -", out.next(ClusterIntake.HOLD_MILLIS + 5000));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(ClusterIntake.HOLD_MILLIS),
        "held for the intake first");
    assertEquals("2 -", out.next(5000));
  }

  private static Sequencer started(Delivered out) {
    MemoryHistory history = new MemoryHistory(vertx, new HubConfig.History(List.of(new HubConfig.Stream("test.stream.*", 100, 60))));
    Sequencer sequencer = new Sequencer(ADDRESS, history, out.context, out::accept);
    sequencer.start();
    return sequencer;
  }

  private static JsonObject body(int n) {
    return new JsonObject().put("n", n);
  }

  private static OutboundFrame frame(int n, Position position) {
    return position == null ? OutboundFrame.rec(ADDRESS, body(n), null, null)
        : OutboundFrame.rec(ADDRESS, body(n), null, null, position.toString(), position.offset());
  }

  /** What the sequencer hands on, as "N POSITION" ("-" for none). */
  private static final class Delivered {
    final Context context = vertx.getOrCreateContext();
    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();

    void accept(OutboundFrame frame) {
      JsonObject json = new JsonObject(frame.json());
      JsonObject headers = json.getJsonObject("headers", new JsonObject());
      frames.add(json.getJsonObject("body").getInteger("n") + " " + headers.getString("position", "-"));
    }

    String next(long millis) throws InterruptedException {
      return frames.poll(millis, TimeUnit.MILLISECONDS);
    }
  }
}
