package io.eventhub.history;

import java.util.List;

/**
 * What a history read found. {@code available} false: the {@code since} asked for belongs to another
 * epoch or was trimmed away, {@code events} is empty. {@code position}: how far {@code events} go
 * without a gap, the stream's current position when nothing was left out by the limit.
 */
public record Read(boolean available, Position position, List<StoredEvent> events) {}
