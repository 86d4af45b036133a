package io.eventhub.transport;

import io.eventhub.testing.Await;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestHub;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload seen where it waits: events the hub has written but a client reads too slowly sit in the
 * socket's buffers (the kernel's send queue, then Netty's), where the write-time lag alone never
 * looks. The hub samples them and refuses publishers when they would take the client longer than
 * {@code bridge.maxDeliveryLagMillis} to read.
 */
class OutboundBacklogTest {

  @Test
  @DisplayName("a client reading slower than events are published: the bytes waiting for it show in the gauge and publishers get 503 overloaded")
  void slowReaderMakesPublishersWait() throws Exception {
    JsonObject config = new JsonObject().put("bridge", new JsonObject()
        .put("slowConsumerPolicy", "drop").put("maxDeliveryLagMillis", 300));
    try (TestHub hub = TestHub.start(config); StalledSocket client = StalledSocket.subscribe(hub.port(), "demo.backlog")) {
      AtomicBoolean reading = new AtomicBoolean(true);
      AtomicLong read = new AtomicLong();
      Thread reader = slowReader(client.input(), reading, read);
      WebClient http = WebClient.create(ClientVertx.get());
      String padding = "x".repeat(16 * 1024);
      int status = 0;
      double waiting = 0;
      // Bounded by time too: the hub samples the sockets' buffers every 250 ms, on a worker.
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      for (int i = 0; i < 20_000 && status != 503 && System.nanoTime() < until; i++) {
        status = http.post(hub.port(), "127.0.0.1", "/api/publish").putHeader("Authorization", "Bearer " + TestHub.TOKEN)
            .sendBuffer(Buffer.buffer(new JsonObject().put("address", "demo.backlog").put("body", padding).encode()))
            .await().statusCode();
        if (status == 503) {
          waiting = Scrape.of(hub.port()).value("eventhub_outbound_waiting_bytes");
        } else {
          assertEquals(202, status);
        }
      }
      assertEquals(503, status, "publishers were refused while the client could not keep up");
      assertTrue(waiting > 64 * 1024, "the bytes waiting in the socket's buffers are in the gauge: " + waiting);
      assertTrue(read.get() > 0, "the client was reading, slowly");
      reading.set(false);
      reader.join(10_000);
      Await.until("once nothing more is written, nothing counts as lag", Duration.ofSeconds(10),
          () -> !hub.hub().bridge().publisher().lag().refusing());
    }
  }

  /** Reads 4 KiB every 20 ms (about 200 KB/s) until told to stop: a client on a slow link. */
  private static Thread slowReader(InputStream in, AtomicBoolean reading, AtomicLong read) {
    Thread reader = new Thread(() -> {
      byte[] chunk = new byte[4096];
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      try {
        while (reading.get() && System.nanoTime() < until) {
          int n = in.read(chunk);
          if (n < 0) {
            return;
          }
          read.addAndGet(n);
          Thread.sleep(20); // the link's pace, not a wait for anything
        }
      } catch (IOException | InterruptedException e) {
        // the test is over
      }
    }, "slow-reader");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
