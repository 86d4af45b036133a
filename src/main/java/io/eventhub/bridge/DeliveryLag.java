package io.eventhub.bridge;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How far behind this instance's delivery runs: how old the events written lately were (since their
 * publish), while more events are waiting. Over {@code bridge.maxDeliveryLagMillis} the hub refuses
 * publishers (they learn it at once and can retry); over twice that it drops what arrives from the bus
 * besides, so neither memory nor latency grows without bound while more is offered than it can write.
 */
public final class DeliveryLag {
  private final long refuseAfterNanos;
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile long lastLagNanos;
  private volatile long lastLagAtNanos;

  public DeliveryLag(int maxDeliveryLagMillis) {
    this.refuseAfterNanos = TimeUnit.MILLISECONDS.toNanos(maxDeliveryLagMillis);
  }

  /** New events should be refused: the ones already here are late. */
  public boolean refusing() {
    return waiting.get() > 0 && lastLagNanos > refuseAfterNanos;
  }

  /** Events arriving now would only add to the delay: drop them. */
  boolean shedding() {
    return waiting.get() > 0 && lastLagNanos > 2 * refuseAfterNanos;
  }

  /** Seconds a refused publisher should wait, for Retry-After. */
  public long retryAfterSeconds() {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(lastLagNanos));
  }

  void queued() {
    waiting.incrementAndGet();
  }

  /**
   * {@code count} events, the oldest on its way since {@code sinceNanos}, are being written now. The
   * largest lag of the last {@code maxDeliveryLagMillis} stands, so one loop keeping up does not hide
   * another that is behind.
   */
  void taken(int count, long sinceNanos) {
    waiting.addAndGet(-count);
    long now = System.nanoTime();
    long lag = now - sinceNanos;
    if (lag >= lastLagNanos || now - lastLagAtNanos > refuseAfterNanos) {
      lastLagNanos = lag;
      lastLagAtNanos = now;
    }
  }
}
