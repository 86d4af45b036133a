package io.eventhub.protocol;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** A client's register, unregister, send or publish frame, checked for shape. */
public record InboundFrame(String type, String address, Object body, JsonObject headers, String replyAddress) {
  public static final int MAX_ADDRESS_LENGTH = 256;

  public static InboundFrame parse(JsonObject frame) throws Invalid {
    String type = frame.getString("type");
    Object replyValue = frame.getValue("replyAddress");
    String replyAddress = replyValue instanceof String s ? s : null;
    if (replyValue != null && (replyAddress == null || replyAddress.isEmpty() || replyAddress.length() > MAX_ADDRESS_LENGTH)) {
      throw new Invalid(ErrorCode.INVALID_JSON, "\"replyAddress\" must be a non-empty string of at most "
          + MAX_ADDRESS_LENGTH + " characters", null);
    }
    Object addressValue = frame.getValue("address");
    if (addressValue == null || "".equals(addressValue)) {
      throw new Invalid(ErrorCode.MISSING_ADDRESS, type + " frame has no \"address\"", replyAddress);
    }
    if (!(addressValue instanceof String address) || address.length() > MAX_ADDRESS_LENGTH) {
      throw new Invalid(ErrorCode.INVALID_JSON, "\"address\" must be a string of at most "
          + MAX_ADDRESS_LENGTH + " characters", replyAddress);
    }
    Object headersValue = frame.getValue("headers");
    if (headersValue != null && !(headersValue instanceof JsonObject)) {
      throw new Invalid(ErrorCode.INVALID_JSON, "\"headers\" must be an object of strings", replyAddress);
    }
    JsonObject headers = (JsonObject) headersValue;
    if (headers != null) {
      for (String name : headers.fieldNames()) {
        if (!(headers.getValue(name) instanceof String)) {
          throw new Invalid(ErrorCode.INVALID_JSON, "header \"" + name + "\" must be a string", replyAddress);
        }
      }
    }
    return new InboundFrame(type, address, frame.getValue("body"), headers, replyAddress);
  }

  /** One header's value; null when the frame has none by that name. */
  public String header(String name) {
    return headers == null ? null : headers.getString(name);
  }

  public DeliveryOptions deliveryOptions() {
    DeliveryOptions options = new DeliveryOptions();
    if (headers != null) {
      headers.forEach(header -> options.addHeader(header.getKey(), (String) header.getValue()));
    }
    return options;
  }

  /** A frame of the wrong shape: the error code and, when known, the reply address to answer on. */
  public static final class Invalid extends Exception {
    public final ErrorCode code;
    public final String replyAddress;

    Invalid(ErrorCode code, String message, String replyAddress) {
      super(message, null, false, false);
      this.code = code;
      this.replyAddress = replyAddress;
    }
  }
}
