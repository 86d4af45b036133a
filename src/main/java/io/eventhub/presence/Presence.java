package io.eventhub.presence;

import io.eventhub.config.HubConfig;
import io.eventhub.delivery.Publisher;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Who is subscribed to the tracked addresses ({@code presence.patterns}), per user, on every instance.
 *
 * <p>The bridge reports each subscription of a tracked address as it is made and ended. This instance
 * counts them per address and user, and writes its counts to the {@link PresenceHome} at most once per
 * address per flush: a user's five tabs, or a reconnect, cost nothing there. A user whose last
 * connection here left is written as gone only {@code graceSeconds} later, and not at all if they came
 * back (here, or elsewhere: the home then counts them on both members for a moment). The home answers
 * who joined or left the address as a whole; this instance sends those events on
 * {@code $presence:ADDRESS}, past {@code maxUsers} users on the address none (counts only).
 * Untracked addresses cost one cached lookup per subscribe and nothing else.
 */
public final class Presence {
  /** Clients register on {@code $presence:ADDRESS} for the joins and leaves of ADDRESS. */
  public static final String STREAM_PREFIX = "$presence:";
  /** Clients {@code send} {@code {"address": A}} here with a reply address for a snapshot. */
  public static final String SNAPSHOT_ADDRESS = "$presence";
  /** How long changes wait to be written together: joins are seen this much later, and coalesced. */
  static final long FLUSH_MILLIS = 20;
  /** How long a failed write waits to be tried again. */
  static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final HubConfig.Presence config;
  private final PresencePatterns patterns;
  private final PresenceHome home;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final long graceNanos;
  /** This instance's connections per tracked address with anybody on it (or a write still due). */
  private final Map<String, Local> local = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  /** Distinct (address, user) pairs with a connection here. */
  private int users;
  private long timer = -1;
  private long timerDue;
  private boolean flushing;

  public Presence(Vertx vertx, HubConfig.Presence config, PresenceHome home, Publisher publisher, HubMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.patterns = new PresencePatterns(config.patterns());
    this.home = home;
    this.publisher = publisher;
    this.metrics = metrics;
    this.graceNanos = TimeUnit.SECONDS.toNanos(config.graceSeconds());
    if (config.enabled()) {
      home.watchMembers(this::announce, this::rewriteAll);
      metrics.gauge("eventhub.presence.users", "Users present on tracked addresses through this instance (one per address and user)",
          this::users);
      metrics.gauge("eventhub.presence.addresses", "Tracked addresses with connections on this instance", this::addresses);
      metrics.registerPresence();
    }
  }

  /** Whether subscribers of {@code address} are tracked. */
  public boolean tracks(String address) {
    return patterns.matches(address);
  }

  /** A connection of {@code userId} (null: anonymous) subscribed to {@code address}. Any thread. */
  public void subscribed(String address, String userId) {
    if (!tracks(address)) {
      return;
    }
    String user = userId == null ? AddressState.ANONYMOUS : userId;
    synchronized (this) {
      Local here = local.computeIfAbsent(address, a -> new Local());
      if (here.counts.merge(user, 1, Integer::sum) == 1 && !user.equals(AddressState.ANONYMOUS)) {
        users++;
      }
      here.leftAt.remove(user);
      here.dirty.add(user);
      dirty.add(address);
      flushBy(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS));
    }
  }

  /** That connection unsubscribed or closed. Any thread. */
  public void unsubscribed(String address, String userId) {
    if (!tracks(address)) {
      return;
    }
    String user = userId == null ? AddressState.ANONYMOUS : userId;
    synchronized (this) {
      Local here = local.get(address);
      Integer count = here == null ? null : here.counts.get(user);
      if (count == null) {
        return;
      }
      long now = System.nanoTime();
      if (count > 1) {
        here.counts.put(user, count - 1);
      } else {
        here.counts.remove(user);
        if (!user.equals(AddressState.ANONYMOUS)) {
          users--;
          here.leftAt.put(user, now);
        }
      }
      here.dirty.add(user);
      dirty.add(address);
      flushBy(now + TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS));
    }
  }

  /**
   * The snapshot of {@code address} for the whole cluster: {@code {"address", "connections",
   * "userCount", "users": [{"userId", "connections"}]}} (see {@link AddressState#toJson}).
   */
  public Future<JsonObject> snapshot(String address) {
    return home.read(address).map(state -> AddressState.toJson(address, state, config.maxUsers()));
  }

  private synchronized int users() {
    return users;
  }

  private synchronized int addresses() {
    return local.size();
  }

  /** Makes sure a flush runs by {@code due} (nanoTime): sooner than a timer set for later. */
  private void flushBy(long due) {
    if (flushing || (timer >= 0 && timerDue <= due)) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timerDue = due;
    timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime())), id -> flush());
  }

  /**
   * Writes what changed since the last flush, one write per address, and sends the events the home
   * answers. One flush at a time: counts reach the home in the order they were taken.
   */
  private void flush() {
    Map<String, Map<String, Integer>> writes = new HashMap<>();
    synchronized (this) {
      timer = -1;
      flushing = true;
      long now = System.nanoTime();
      for (Iterator<String> addresses = dirty.iterator(); addresses.hasNext(); ) {
        String address = addresses.next();
        Local here = local.get(address);
        Map<String, Integer> write = here.due(now, graceNanos);
        if (!write.isEmpty()) {
          writes.put(address, write);
        }
        if (here.dirty.isEmpty()) {
          addresses.remove();
        }
        if (here.isEmpty()) {
          local.remove(address);
        }
      }
    }
    List<Future<Changes>> written = new ArrayList<>();
    writes.forEach((address, counts) -> {
      metrics.presenceWrite();
      written.add(home.set(address, counts).andThen(done -> {
        if (done.succeeded() && done.result() != null) {
          announce(address, done.result());
        } else if (done.failed()) {
          rewrite(address, counts.keySet());
        }
      }));
    });
    Future.join(written).onComplete(all -> {
      synchronized (this) {
        flushing = false;
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (String address : dirty) {
          next = Math.min(next, local.get(address).nextDue(now, graceNanos));
        }
        if (next != Long.MAX_VALUE) {
          // After a failed write, not at once: the cluster needs a moment (a member just left).
          flushBy(all.failed() ? Math.max(next, now + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS)) : next);
        }
      }
    });
  }

  /** A write failed (the cluster is changing): those users are written again with the next flush. */
  private synchronized void rewrite(String address, Set<String> users) {
    Local here = local.computeIfAbsent(address, a -> new Local());
    for (String user : users) {
      here.reported.put(user, -1);
      here.dirty.add(user);
    }
    dirty.add(address);
  }

  /** This member's counts were lost (taken for gone in a split): all of them are written again. */
  private synchronized void rewriteAll() {
    local.forEach((address, here) -> rewrite(address, Set.copyOf(here.counts.keySet())));
    flushBy(System.nanoTime());
  }

  private void announce(String address, Changes changes) {
    if (changes.users() > config.maxUsers()) {
      return;
    }
    String stream = STREAM_PREFIX + address;
    for (String user : changes.joined()) {
      send(stream, "join", user, changes.connections());
    }
    for (String user : changes.left()) {
      send(stream, "leave", user, changes.connections());
    }
  }

  private void send(String stream, String event, String userId, int connections) {
    metrics.presenceEvent(event);
    publisher.publish(stream, new JsonObject().put("event", event).put("userId", userId).put("connections", connections),
        new DeliveryOptions(), "presence");
  }

  /** One tracked address as seen from this instance. */
  private static final class Local {
    /** Connections here, by user ({@link AddressState#ANONYMOUS} for anonymous ones). */
    final Map<String, Integer> counts = new HashMap<>();
    /** What the home holds from this instance, by user; -1: unknown, write again. */
    final Map<String, Integer> reported = new HashMap<>();
    /** When the last connection of a user here left (nanoTime), while the leave waits out the grace. */
    final Map<String, Long> leftAt = new HashMap<>();
    /** Users whose count here may differ from what was written. */
    final Set<String> dirty = new HashSet<>();

    /** The counts to write now; users still in their grace stay dirty. */
    Map<String, Integer> due(long now, long graceNanos) {
      Map<String, Integer> write = new HashMap<>();
      for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
        String user = it.next();
        Long left = leftAt.get(user);
        if (left != null && now - left < graceNanos) {
          continue;
        }
        leftAt.remove(user);
        int count = counts.getOrDefault(user, 0);
        Integer before = reported.get(user);
        if (before == null ? count != 0 : before != count) {
          write.put(user, count);
        }
        if (count == 0) {
          reported.remove(user);
        } else {
          reported.put(user, count);
        }
        it.remove();
      }
      return write;
    }

    /** When the next write of this address is due. */
    long nextDue(long now, long graceNanos) {
      long next = Long.MAX_VALUE;
      for (String user : dirty) {
        Long left = leftAt.get(user);
        next = Math.min(next, left == null ? now : left + graceNanos);
      }
      return next;
    }

    boolean isEmpty() {
      return counts.isEmpty() && reported.isEmpty() && dirty.isEmpty();
    }
  }
}
