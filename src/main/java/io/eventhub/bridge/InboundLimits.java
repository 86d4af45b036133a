package io.eventhub.bridge;

import java.nio.charset.StandardCharsets;

/**
 * What one connection may send: frames of at most {@code bridge.maxFrameBytes}, and
 * {@code bridge.maxMessagesPerSecond} in fixed one-second windows (over it frames are refused, over
 * twice it the client is cut off). Confined to the connection's event loop.
 */
final class InboundLimits {
  enum Verdict { PASS, TOO_LARGE, RATE_REFUSED, RATE_CUT_OFF }

  private final int maxFrameBytes;
  private final int maxPerSecond;
  private long windowStart;
  private int windowCount;

  InboundLimits(int maxFrameBytes, int maxPerSecond) {
    this.maxFrameBytes = maxFrameBytes;
    this.maxPerSecond = maxPerSecond;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  int maxPerSecond() {
    return maxPerSecond;
  }

  /** Counts one frame arriving now. */
  Verdict check(String text) {
    if (tooLarge(text)) {
      return Verdict.TOO_LARGE;
    }
    long now = System.nanoTime();
    if (now - windowStart >= 1_000_000_000L) {
      windowStart = now;
      windowCount = 0;
    }
    windowCount++;
    if (windowCount <= maxPerSecond) {
      return Verdict.PASS;
    }
    return windowCount > 2 * maxPerSecond ? Verdict.RATE_CUT_OFF : Verdict.RATE_REFUSED;
  }

  /** Counts UTF-8 bytes only when the characters alone cannot decide. */
  private boolean tooLarge(String text) {
    if (text.length() > maxFrameBytes) {
      return true;
    }
    return text.length() * 3L > maxFrameBytes && text.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes;
  }
}
