package io.eventhub.delivery;

import java.util.concurrent.TimeUnit;

/**
 * How long one address's connections on one event loop wait before their next write, given what the
 * last write cost. Every write to a socket is a system call, and the kernel's part of delivering is
 * most of its cost: the longer the wait, the more events each write carries. A cheap group (few
 * connections, an idle machine) waits the least interval; a group whose writes took long (many
 * connections, a busy or overloaded machine) waits {@value #WAIT_PER_WRITE_TIME} times as long as the
 * writes took, so that writing takes at most a fifth of its loop's time, and never more than the
 * most interval: the latency a client can see added to an event.
 */
final class FlushPace {
  /** Waiting this many times a flush's duration keeps writes to a fifth of the loop's time. */
  static final int WAIT_PER_WRITE_TIME = 4;

  private final long leastNanos;
  private final long mostNanos;

  FlushPace(int leastMillis, int mostMillis) {
    this.leastNanos = TimeUnit.MILLISECONDS.toNanos(leastMillis);
    this.mostNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(leastMillis, mostMillis));
  }

  /** When the next flush may start, after one that started at {@code startNanos} and took {@code tookNanos}. */
  long next(long startNanos, long tookNanos) {
    return startNanos + Math.min(mostNanos, Math.max(leastNanos, tookNanos * WAIT_PER_WRITE_TIME));
  }
}
