package io.eventhub.protocol;

/** WebSocket / SockJS close codes the hub uses; the hosted client script decides on them whether to retry. */
public final class CloseCodes {
  /** The hub is draining (rolling update): reconnect, to another instance. */
  public static final int RECONNECT = 4000;
  public static final int UNAUTHENTICATED = 4401;
  public static final int FORBIDDEN = 4403;
  public static final int UNAVAILABLE = 4503;
  /** The client did not read fast enough and its write queue filled up. */
  public static final int SLOW_CONSUMER = 4008;
  public static final int FRAME_TOO_LARGE = 4009;
  public static final int RATE_LIMITED = 4029;
  /** Too many connections of this user or client address, or too many failed handshakes: reconnect slower. */
  public static final int TOO_MANY = 4429;

  private CloseCodes() {}

  /** The metrics label for a close the hub initiated. */
  public static String reason(int code) {
    return switch (code) {
      case RECONNECT -> "draining";
      case UNAUTHENTICATED -> "session_ended";
      case FORBIDDEN -> "forbidden";
      case UNAVAILABLE -> "unavailable";
      case SLOW_CONSUMER -> "slow_consumer";
      case FRAME_TOO_LARGE -> "frame_too_large";
      case RATE_LIMITED -> "rate_limited";
      case TOO_MANY -> "too_many_connections";
      default -> "other";
    };
  }
}
