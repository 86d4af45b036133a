package io.eventhub.history;

/**
 * Where an event sits in its stream: {@code EPOCH:OFFSET}. The epoch names one life of the stream's
 * history (a new one whenever it was lost), so an old position never matches new events; the offset
 * grows by one per event within an epoch, 0 before the first.
 */
public record Position(String epoch, long offset) {
  @Override
  public String toString() {
    return epoch + ":" + offset;
  }

  /** Null for anything that is not {@code EPOCH:OFFSET} with a non-empty epoch and a non-negative offset. */
  public static Position parse(String text) {
    if (text == null) {
      return null;
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return null;
    }
    try {
      long offset = Long.parseLong(text.substring(colon + 1));
      return offset < 0 ? null : new Position(text.substring(0, colon), offset);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
