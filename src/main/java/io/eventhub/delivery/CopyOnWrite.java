package io.eventhub.delivery;

import java.util.Arrays;

/** Arrays replaced whole on change, so that readers on other threads iterate them without a lock. */
final class CopyOnWrite {
  private CopyOnWrite() {}

  /** A copy without {@code item}, or the same array when it holds none. */
  static <T> T[] without(T[] array, T item) {
    int found = 0;
    for (T element : array) {
      if (element == item) {
        found++;
      }
    }
    if (found == 0) {
      return array;
    }
    T[] shorter = Arrays.copyOf(array, array.length - found);
    int next = 0;
    for (T element : array) {
      if (element != item) {
        shorter[next++] = element;
      }
    }
    return shorter;
  }

  @SuppressWarnings("unchecked")
  static <T> T[] append(T[] array, T item) {
    T[] longer = Arrays.copyOf(array, array.length + 1);
    longer[array.length] = item;
    return longer;
  }
}
