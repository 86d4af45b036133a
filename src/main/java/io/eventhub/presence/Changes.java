package io.eventhub.presence;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * What one change of an address's presence did: the users who joined and left it, and its
 * connections and users afterwards (what the join and leave events report).
 */
public record Changes(List<String> joined, List<String> left, int connections, int users) implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;
}
