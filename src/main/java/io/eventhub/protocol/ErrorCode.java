package io.eventhub.protocol;

/** The {@code body} of an {@code err} frame: what the client did that the hub refused. */
public enum ErrorCode {
  ACCESS_DENIED, INVALID_JSON, MISSING_ADDRESS, UNKNOWN_TYPE, MAX_SUBSCRIPTIONS, RATE_LIMITED, FRAME_TOO_LARGE, RESUME_FAILED, OVERLOADED,
  HISTORY_UNAVAILABLE;

  public String wire() {
    return name().toLowerCase();
  }
}
