package io.eventhub.delivery;

import java.util.concurrent.TimeUnit;

/**
 * For tests in other packages: makes a hub's {@link DeliveryLag} hear what the fan-out reports when
 * it has just written an event {@code millis} after its publish, as {@code OverloadTest} does.
 */
public final class LagReports {
  private LagReports() {}

  public static void behind(DeliveryLag lag, long millis) {
    lag.queued();
    lag.taken(1, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(millis), 0);
  }
}
