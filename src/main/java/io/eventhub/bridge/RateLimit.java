package io.eventhub.bridge;

/**
 * One connection's inbound frame rate, in fixed one-second windows: up to the limit frames pass, over
 * it they are refused, and over twice the limit the client is cut off. Confined to the connection's
 * event loop.
 */
final class RateLimit {
  enum Verdict { PASS, REFUSE, CUT_OFF }

  private final int maxPerSecond;
  private long windowStart;
  private int windowCount;

  RateLimit(int maxPerSecond) {
    this.maxPerSecond = maxPerSecond;
  }

  int maxPerSecond() {
    return maxPerSecond;
  }

  /** Counts one frame arriving now. */
  Verdict count() {
    long now = System.nanoTime();
    if (now - windowStart >= 1_000_000_000L) {
      windowStart = now;
      windowCount = 0;
    }
    windowCount++;
    if (windowCount <= maxPerSecond) {
      return Verdict.PASS;
    }
    return windowCount > 2 * maxPerSecond ? Verdict.CUT_OFF : Verdict.REFUSE;
  }
}
