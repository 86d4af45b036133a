package io.eventhub.delivery;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How far behind this instance's delivery runs, so that publishers learn it at once instead of
 * filling a queue: events are refused ({@code bridge.maxDeliveryLagMillis}) when those written lately
 * were older than that since their publish, when what waits on the event loops would take longer
 * than that to write at the recent cost per event, or when what was written and waits in the
 * sockets' buffers (Netty's and the kernel's send queues, sampled: {@link #outbound}) would take the
 * typical client longer than that to read at the rate it has been reading. Refusing is what holds
 * latency and memory; only events that arrive from the bus regardless (nobody to refuse) beyond a
 * hard cap are dropped.
 */
public final class DeliveryLag {
  private final long maxLagNanos;
  private final int maxWaiting;
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile long lagNanos;
  private volatile long lagAtNanos;
  /** Recent cost of writing one event to the connections of one loop group (moving average). */
  private volatile long nanosPerEvent;
  /** Deliveries written to sockets since the last sample of the outbound buffers. */
  private final LongAdder written = new LongAdder();
  private volatile long outboundWaiting;
  private volatile long outboundLagNanos;

  /** {@code maxWaiting}: events queued on the event loops beyond which arriving ones are dropped. */
  public DeliveryLag(int maxDeliveryLagMillis, int maxWaiting) {
    this.maxLagNanos = TimeUnit.MILLISECONDS.toNanos(maxDeliveryLagMillis);
    this.maxWaiting = maxWaiting;
  }

  /** New events should be refused: the ones already here are, or will be, late. */
  public boolean refusing() {
    return recentLagNanos() > maxLagNanos || backlogNanos() > maxLagNanos || outboundLagNanos > maxLagNanos;
  }

  /** Seconds a refused publisher should wait, for Retry-After. */
  public long retryAfterSeconds() {
    long expected = Math.max(Math.max(recentLagNanos(), backlogNanos()), Math.min(outboundLagNanos, maxLagNanos * 10));
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(expected));
  }

  /** The queue is at its cap: an arriving event can only be dropped. */
  boolean shedding() {
    return waiting.get() >= maxWaiting;
  }

  void queued() {
    waiting.incrementAndGet();
  }

  /**
   * {@code count} events, the oldest on its way since {@code sinceNanos}, were written in
   * {@code writeNanos}. The largest lag of the last {@code maxDeliveryLagMillis} stands, so one loop
   * keeping up does not hide another that is behind.
   */
  void taken(int count, long sinceNanos, long writeNanos) {
    waiting.addAndGet(-count);
    long now = System.nanoTime();
    long lag = now - writeNanos - sinceNanos;
    if (lag >= lagNanos || now - lagAtNanos > maxLagNanos) {
      lagNanos = lag;
      lagAtNanos = now;
    }
    long perEvent = writeNanos / count;
    nanosPerEvent = nanosPerEvent == 0 ? perEvent : nanosPerEvent + (perEvent - nanosPerEvent) / 8;
  }

  /** {@code deliveries} were written to sockets (any thread): only whether any were is read. */
  void wrote(long deliveries) {
    written.add(deliveries);
  }

  /**
   * A sample of the sockets' buffers: {@code waitingBytes} in the kernel's send queues, and how late
   * what waits there typically is ({@code typicalLagNanos}, the median over the clients written to
   * since the last sample), at the rate the clients have been reading.
   */
  public void outbound(long waitingBytes, long typicalLagNanos) {
    written.reset();
    outboundWaiting = waitingBytes;
    outboundLagNanos = typicalLagNanos;
  }

  /**
   * Worth sampling: deliveries were written since the last sample, or bytes waited then, or it found
   * them late. The last keeps a late sample from standing for good: publishers are refused while it
   * stands, so nothing more may be written, and only a new sample can clear it.
   */
  public boolean outboundActive() {
    return written.sum() > 0 || outboundWaiting > 0 || !outboundCalm();
  }

  /** The last sample found what waits in the sockets' buffers well within the bound (under a quarter of it). */
  public boolean outboundCalm() {
    return outboundLagNanos < maxLagNanos / 4;
  }

  /** Bytes waiting in the sockets' buffers at the last sample. */
  public long outboundWaitingBytes() {
    return outboundWaiting;
  }

  /** How long what waits would take to write at the recent cost per event. */
  private long backlogNanos() {
    return (long) waiting.get() * nanosPerEvent;
  }

  private long recentLagNanos() {
    return System.nanoTime() - lagAtNanos <= maxLagNanos ? lagNanos : 0;
  }
}
