package io.eventhub.protocol;

/** Failure codes the hub puts on bus replies it fails on a client's behalf. */
public final class ReplyFailureCodes {
  /** The client that was to answer disconnected or could not take the message. */
  public static final int CLIENT_GONE = 503;

  private ReplyFailureCodes() {}
}
