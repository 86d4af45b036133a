package io.eventhub.history;

import io.eventhub.config.HubConfig;
import io.eventhub.protocol.AddressGlob;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which stream, if any, an address belongs to: the first pattern that matches. Patterns are written as
 * in permissions; {@code {userId}} matches one segment (any user's address has its own history).
 * Answers are cached, so a publish costs one map lookup, not a regex per pattern; the cache keeps the
 * addresses in use when there are more than it holds (per-user streams of many users).
 */
final class StreamPatterns {
  private static final int MAX_CACHED = 50_000;
  private static final HubConfig.Stream NONE = new HubConfig.Stream("", 0, 0);

  private final List<Pattern> patterns = new ArrayList<>();
  private final List<HubConfig.Stream> streams;
  private final Cache<String, HubConfig.Stream> cache = Caffeine.newBuilder().maximumSize(MAX_CACHED).build();

  StreamPatterns(List<HubConfig.Stream> streams) {
    this.streams = streams;
    for (HubConfig.Stream stream : streams) {
      patterns.add(Pattern.compile(AddressGlob.toRegex(stream.pattern())));
    }
  }

  boolean isEmpty() {
    return streams.isEmpty();
  }

  HubConfig.Stream of(String address) {
    if (streams.isEmpty()) {
      return null;
    }
    HubConfig.Stream found = cache.get(address, this::match);
    return found == NONE ? null : found;
  }

  private HubConfig.Stream match(String address) {
    for (int i = 0; i < patterns.size(); i++) {
      if (patterns.get(i).matcher(address).matches()) {
        return streams.get(i);
      }
    }
    return NONE;
  }
}
