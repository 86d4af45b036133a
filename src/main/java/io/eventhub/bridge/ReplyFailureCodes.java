package io.eventhub.bridge;

/** Failure codes the hub puts on bus replies it fails on a client's behalf. */
final class ReplyFailureCodes {
  /** The client that was to answer disconnected or could not take the message. */
  static final int CLIENT_GONE = 503;

  private ReplyFailureCodes() {}
}
