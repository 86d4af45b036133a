package io.eventhub.delivery;

import io.eventhub.history.History;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** More offered than the hub can write: publishers are refused and bus events shed, then it recovers. */
class OverloadTest {

  @Test
  @DisplayName("an event loop that falls behind makes the hub refuse publishers and drop bus events beyond the cap, then recover")
  void lagFollowsAStalledLoop() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      DeliveryLag lag = new DeliveryLag(50, 5);
      FanOut fanOut = new FanOut(vertx.eventBus(), new HubMetrics(registry), 0, 0, lag, History.NONE);
      // The address's bus consumer lives on one loop; the slow connection on the other.
      Context consumerLoop = ((VertxInternal) vertx).createEventLoopContext();
      Context slowLoop = ((VertxInternal) vertx).createEventLoopContext();
      assertNotSame(((ContextInternal) consumerLoop).nettyEventLoop(), ((ContextInternal) slowLoop).nettyEventLoop());
      Stalling first = new Stalling(consumerLoop, 0);
      Stalling slow = new Stalling(slowLoop, 120);
      subscribe(fanOut, first).await(5, TimeUnit.SECONDS);
      subscribe(fanOut, slow).await(5, TimeUnit.SECONDS);

      Counter shed = registry.counter("eventhub.events.dropped", "reason", "overload");
      boolean refused = false;
      for (int i = 0; i < 300 && (shed.count() == 0 || !refused); i++) {
        publishStamped(vertx, i);
        refused |= lag.refusing();
        Thread.sleep(10); // the offered rate: 100 events/s against one write every 120 ms
      }
      assertTrue(refused, "publishers are refused while the loop is behind");
      assertTrue(shed.count() > 0, "events beyond the 5 waiting are dropped and counted");

      slow.stallMillis = 0;
      Await.until("the lag clears once the loop keeps up", Duration.ofSeconds(10), () -> !lag.refusing());
      int before = slow.events.get();
      publishStamped(vertx, -1);
      Await.until("events flow again", Duration.ofSeconds(5), () -> slow.events.get() > before);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("while behind: the publish API answers 503 overloaded with Retry-After and clients get err overloaded; then both publish again")
  void refusalsReachEveryPublisher() {
    try (TestHub hub = TestHub.start(); BridgeClient client = new WebSocketClients.Raw(hub.port())) {
      client.register("demo.load");
      client.sync();
      WebClient http = WebClient.create(ClientVertx.get());
      DeliveryLag lag = hub.hub().bridge().publisher().lag();
      // What the fan-out reports when it has just written an event 5 s after its publish.
      lag.queued();
      lag.taken(1, System.nanoTime() - TimeUnit.SECONDS.toNanos(5), 0);

      HttpResponse<Buffer> refused = post(http, hub.port());
      assertEquals(503, refused.statusCode());
      assertEquals("overloaded", refused.bodyAsJsonObject().getString("error"));
      assertEquals("5", refused.getHeader("retry-after"));

      client.send(new JsonObject().put("type", "publish").put("address", "demo.load").put("body", "from a client"));
      JsonObject err = client.next();
      assertEquals("err", err.getString("type"));
      assertEquals("overloaded", err.getString("body"));

      assertEquals(0, client.syncSkippingEvents(), "nothing refused was published");

      Await.until("a lag older than bridge.maxDeliveryLagMillis no longer counts", Duration.ofSeconds(5), () -> !lag.refusing());
      assertEquals(202, post(http, hub.port()).statusCode(), "caught up: publishing is accepted again");
      assertEquals("accepted", client.next().getString("body"));
    }
  }

  private static HttpResponse<Buffer> post(WebClient http, int port) {
    return http.post(port, "127.0.0.1", "/api/publish").putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(new JsonObject().put("address", "demo.load").put("body", "accepted").encode()))
        .await();
  }

  private static io.vertx.core.Future<Void> subscribe(FanOut fanOut, Stalling subscriber) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    io.vertx.core.Future<Void>[] result = new io.vertx.core.Future[1];
    subscriber.context().runOnContext(v -> {
      result[0] = fanOut.subscribe("load", subscriber);
      done.countDown();
    });
    assertTrue(done.await(5, TimeUnit.SECONDS));
    return result[0];
  }

  private static void publishStamped(Vertx vertx, int n) {
    vertx.eventBus().publish("load", new JsonObject().put("n", n),
        new DeliveryOptions().addHeader(HubMetrics.PUBLISHED_AT_HEADER, Long.toString(HubMetrics.epochMicros())));
  }

  /** A connection whose event loop is busy for a while with every batch it is given. */
  private static final class Stalling implements Subscriber {
    private final Context context;
    volatile long stallMillis;
    final AtomicInteger events = new AtomicInteger();

    Stalling(Context context, long stallMillis) {
      this.context = context;
      this.stallMillis = stallMillis;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public int deliver(Batch batch) {
      events.addAndGet(batch.size());
      if (stallMillis > 0) {
        try {
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return batch.size();
    }

    @Override
    public void deliverPointToPoint(String address, Message<Object> message) {
      message.fail(1, "not in this test");
    }
  }
}
