package io.eventhub.presence;

import io.eventhub.protocol.AddressGlob;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Whether an address is tracked: it matches one of {@code presence.patterns} (written as in
 * permissions; {@code {userId}} matches one segment). Answers are cached, so a subscribe costs one map
 * lookup, not a regex per pattern; without patterns, nothing at all.
 */
final class PresencePatterns {
  private static final int MAX_CACHED = 10_000;

  private final List<Pattern> patterns;
  private final Map<String, Boolean> cache = new ConcurrentHashMap<>();

  PresencePatterns(List<String> globs) {
    this.patterns = globs.stream().map(glob -> Pattern.compile(AddressGlob.toRegex(glob))).toList();
  }

  boolean matches(String address) {
    if (patterns.isEmpty() || address.startsWith(Presence.SNAPSHOT_ADDRESS)) {
      return false;
    }
    Boolean found = cache.get(address);
    if (found == null) {
      found = patterns.stream().anyMatch(p -> p.matcher(address).matches());
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(address, found);
    }
    return found;
  }
}
