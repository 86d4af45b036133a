package io.eventhub.bridge;

import io.eventhub.protocol.ErrorCode;
import io.eventhub.protocol.InboundFrame;
import io.eventhub.protocol.OutboundFrame;
import io.eventhub.protocol.ReplyFailureCodes;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/**
 * One connection's point-to-point traffic: {@code send} frames from the client (to a bus address, or
 * as the reply to a message it was sent), bus messages sent to it, and the replies both ways.
 * Confined to the connection's event loop, like the connection.
 */
final class PointToPoint {
  private final BridgeConnection connection;
  private final EventBus bus;
  private final long replyTimeoutMillis;
  /** Made when the client is first sent a message that awaits its reply. */
  private PendingReplies pending;

  PointToPoint(BridgeConnection connection, EventBus bus, long replyTimeoutMillis) {
    this.connection = connection;
    this.bus = bus;
    this.replyTimeoutMillis = replyTimeoutMillis;
  }

  /** A {@code send} frame: the reply to a message the client was sent, or a send the rules must allow. */
  void send(InboundFrame frame, AddressRules rules) {
    if (PresenceQueries.handles(frame)) {
      PresenceQueries.answer(connection, frame, rules);
      return;
    }
    Message<Object> awaitingReply = pending == null ? null : pending.take(frame.address());
    if (awaitingReply != null) {
      reply(awaitingReply, frame);
      return;
    }
    if (!rules.maySend(frame.address())) {
      connection.writeFrame(OutboundFrame.err(ErrorCode.ACCESS_DENIED, "not allowed to send to " + frame.address(),
          frame.replyAddress()));
      return;
    }
    DeliveryOptions options = frame.deliveryOptions();
    if (frame.replyAddress() == null) {
      bus.send(frame.address(), frame.body(), options);
      return;
    }
    options.setSendTimeout(replyTimeoutMillis);
    bus.request(frame.address(), frame.body(), options)
        .onComplete(result -> forwardReply(frame.replyAddress(), result.result(), result.cause()));
  }

  private void reply(Message<Object> message, InboundFrame frame) {
    DeliveryOptions options = frame.deliveryOptions();
    if (frame.replyAddress() == null) {
      message.reply(frame.body(), options);
      return;
    }
    options.setSendTimeout(replyTimeoutMillis);
    message.replyAndRequest(frame.body(), options)
        .onComplete(result -> forwardReply(frame.replyAddress(), result.result(), result.cause()));
  }

  private void forwardReply(String replyAddress, Message<Object> reply, Throwable failure) {
    if (connection.closed()) {
      if (reply != null && reply.replyAddress() != null) {
        reply.fail(ReplyFailureCodes.CLIENT_GONE, "client disconnected");
      }
      return;
    }
    if (failure != null) {
      ReplyException replyFailure = failure instanceof ReplyException r ? r : null;
      connection.writeFrame(OutboundFrame.replyFailure(replyAddress,
          replyFailure != null ? replyFailure.failureCode() : -1,
          replyFailure != null ? replyFailure.failureType().name() : "RECIPIENT_FAILURE",
          failure.getMessage()));
      return;
    }
    connection.writeFrame(OutboundFrame.rec(replyAddress, reply.body(), reply.headers(), awaitReply(reply)));
  }

  /** A bus message sent to the client (the connection has checked it can take it). */
  void deliver(String address, Message<Object> message) {
    connection.writeFrame(OutboundFrame.rec(address, message.body(), message.headers(), awaitReply(message)));
  }

  /** The reply address to hand the client when the sender awaits its reply, else null. */
  private String awaitReply(Message<Object> message) {
    if (message.replyAddress() == null) {
      return null;
    }
    if (pending == null) {
      pending = new PendingReplies(connection.bridge().vertx(), replyTimeoutMillis);
    }
    return pending.await(message);
  }

  /** The connection is gone: senders still waiting for its replies learn it now. */
  void close() {
    if (pending != null) {
      pending.failAll();
    }
  }
}
