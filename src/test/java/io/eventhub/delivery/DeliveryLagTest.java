package io.eventhub.delivery;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The overload bound's bookkeeping: what makes it refuse publishers, and what lets it stop. */
class DeliveryLagTest {
  @Test
  @DisplayName("a late outbound sample refuses publishers and asks for the next sample even when nothing more is written, which clears it")
  void lateSampleIsSampledAgain() {
    DeliveryLag lag = new DeliveryLag(1000, 100_000);
    assertFalse(lag.outboundActive(), "nothing written, nothing waiting: nothing to sample");
    // Late in Netty's buffers (the kernel's queues empty): publishers are refused, so nothing is written.
    lag.outbound(0, TimeUnit.SECONDS.toNanos(2));
    assertTrue(lag.refusing());
    assertTrue(lag.outboundActive(), "sampled again, though nothing was written since");
    // The next sample finds nobody late.
    lag.outbound(0, 0);
    assertFalse(lag.refusing());
    assertFalse(lag.outboundActive());
  }
}
