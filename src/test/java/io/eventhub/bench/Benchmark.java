package io.eventhub.bench;

import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark: every scenario against event-hub and the stock vertx-web SockJS bridge, on the raw
 * WebSocket and the SockJS websocket path, server pinned to core 0 and this generator to core 1.
 * Prints a table and one JSON line per result. Bounded in count and time; loopback only.
 * Usage: {@code mvn -B -q -Pbench verify} (or Benchmark [seconds-per-run=2]).
 */
public final class Benchmark {
  private static final String ADDRESS = "bench.fan";
  private static final String PAD = "x".repeat(129);
  private static int seconds = 2;
  private static final List<JsonObject> results = new ArrayList<>();
  private static final long BEGAN = System.nanoTime();

  /** The session database for the handshake runs (embedded MariaDB, on the generator's core). */
  private static JsonObject database;

  public static void main(String[] args) throws Exception {
    if (Boolean.getBoolean("bench.history")) {
      HistoryBench.main(args); // -Dbench.history=true: history on and off instead (HistoryBench)
      return;
    }
    if (args.length > 0) {
      seconds = Integer.parseInt(args[0]);
    }
    TestDatabase db = TestDatabase.get();
    for (int i = 0; i < 2 * SESSIONS; i++) {
      db.session(sessionId(i), 10_000L + i, null, 3600);
    }
    database = db.hubConfig().put("connectTimeoutMillis", 10_000).put("queryTimeoutMillis", 10_000);
    pin(ProcessHandle.current().pid(), 1);
    // Native epoll in the generator too: reading 200,000 frames/s on one core is its heaviest work.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
    for (String server : List.of("hub", "baseline")) {
      // Idle memory needs a fresh server for each path: resident memory never shrinks back. The
      // handshake storms follow on it, with sessions it has not seen. The delivery runs of both paths
      // share another server (see Rig): lightest first, then with 3,000 more clients, overload last
      // as it leaves slow consumers; the cross-instance runs share a cluster.
      for (String path : PATHS) {
        runs(new Rig(vertx, server, path, false), List.of(
            step(path, "idle " + IDLE_CLIENTS, rig -> idle(vertx, rig.server(), path, IDLE_CLIENTS)),
            step(path, "handshake 2000", rig -> handshakes(vertx, rig.server(), path, 2000))));
      }
      List<Step> delivery = new ArrayList<>();
      List<Step> crossInstance = new ArrayList<>();
      for (String path : PATHS) {
        delivery.addAll(List.of(
            step(path, "fan-out 1000x20", rig -> paced("fan-out", rig, path, 1000, 20)),
            step(path, "saturation 1000", rig -> saturation(rig, path, 1000)),
            step(path, "fan-out 1000x50", rig -> paced("fan-out", rig, path, 1000, 50)),
            step(path, "fan-out 1000x200", rig -> paced("fan-out", rig, path, 1000, 200)),
            step(path, "fan-out 4000x50", rig -> paced("fan-out", rig, path, 4000, 50)),
            step(path, "fan-out 4000x200", rig -> paced("fan-out", rig, path, 4000, 200)),
            step(path, "overload 1000x5000", rig -> paced("overload", rig, path, 1000, 5000))));
        crossInstance.add(step(path, "cross-instance 1000x200", rig -> paced("cross-instance", rig, path, 1000, 200)));
      }
      runs(new Rig(vertx, server, "both", false), delivery);
      runs(new Rig(vertx, server, "both", true), crossInstance);
    }
    printTable();
    System.out.printf("%nThe benchmark took %.1f minutes.%n", (System.nanoTime() - BEGAN) / 60e9);
    vertx.close().await();
    if (TestDatabase.get().embedded() != null) {
      TestDatabase.get().embedded().stop();
    }
    System.exit(0);
  }

  /**
   * {@code -Dbench.only=hub/raw} (any part of "server/path") and {@code -Dbench.scenario=fan-out 1000}
   * (any part of the scenario's name; several, comma-separated: {@code idle,handshake}) run a subset; {@code -Dbench.jfr=true} records each server with
   * Java Flight Recorder into target/bench-*.jfr, for profiles.
   */
  private static boolean selected(String kind, String path, String name) {
    return (kind + "/" + path).contains(System.getProperty("bench.only", ""))
        && java.util.Arrays.stream(System.getProperty("bench.scenario", "").split(",")).anyMatch(name::contains);
  }

  /** One failed run (a server that died, say) is reported and the others still run. */
  private static void failed(String name, String kind, String path, Server server, Exception e) {
    emit(new JsonObject().put("scenario", name).put("server", kind).put("path", path).put("error", String.valueOf(e))
        .put("serverExit", server == null ? List.of() : server.exitCodes())
        .put("serverLastLines", server == null ? List.of() : server.lastLines()));
  }

  interface RigRun {
    void run(Rig rig) throws Exception;
  }

  private static final List<String> PATHS = List.of("raw", "sockjs");

  record Step(String path, String name, RigRun run) {}

  private static Step step(String path, String name, RigRun run) {
    return new Step(path, name, run);
  }

  /** The selected steps, one after the other on one rig; a failed step costs the rig its server. */
  private static void runs(Rig rig, List<Step> steps) throws Exception {
    try {
      for (Step step : steps) {
        if (!selected(rig.kind, step.path(), step.name())) {
          continue;
        }
        try {
          step.run().run(rig);
        } catch (Exception e) {
          failed(step.name(), rig.kind, step.path(), rig.server, e);
          rig.discard();
        }
      }
    } finally {
      rig.discard();
    }
  }

  /**
   * A server (or a cluster of two) and C subscribed, warmed-up clients on one path, shared by runs.
   * Every run starts on a quiet server: one still working off an earlier run's backlog (the stock
   * bridge queues without bound) is replaced by a fresh one, so no run pays for another's. Each run
   * counts only its own events (its tag), so late deliveries of an earlier run never count.
   */
  static final class Rig {
    final Vertx vertx;
    final String kind;
    /** What the server is for, in file names: a path, or "both". */
    final String label;
    final boolean cluster;
    Server server;
    LoadClients load;
    String loadPath;
    /**
     * The paths that have had their warm-up. A server that replaces one that fell behind gets none:
     * it only ever replaces the stock bridge, which the runs that follow overwhelm again, and a
     * warm-up would have it queue behind before a run (and cost a minute of the benchmark's ten).
     */
    final java.util.Set<String> warm = new java.util.HashSet<>();
    /** Set by a run that lost deliveries: its server still queues the rest. */
    boolean behind;

    Rig(Vertx vertx, String kind, String label, boolean cluster) {
      this.vertx = vertx;
      this.kind = kind;
      this.label = label;
      this.cluster = cluster;
    }

    /** The rig's server, started if it has none. */
    Server server() throws IOException {
      if (server == null) {
        server = cluster ? Server.startCluster(kind, label) : Server.start(kind, label);
      }
      return server;
    }

    /**
     * A quiet server with {@code clients} subscribed clients on {@code path}, all of them open. More
     * are connected to a running server as needed; a path gets its warm-up on a new server (not a
     * replacement), and again when more clients join it. A
     * server that lost deliveries in a run or is still busy after it (the stock bridge queues without
     * bound and works its queues off long after its clients have gone) is replaced, as is one that
     * fails to take the clients.
     */
    LoadClients ready(String path, int clients) throws Exception {
      try {
        return prepare(path, clients);
      } catch (Exception e) {
        discard();
        return prepare(path, clients);
      }
    }

    private LoadClients prepare(String path, int clients) throws Exception {
      // A server that lost deliveries is still working off the rest: replaced without the wait.
      if (server != null && (behind || !server.awaitQuiet(QUIET_SECONDS))) {
        discard();
      }
      behind = false;
      if (load != null && (!path.equals(loadPath) || load.closedByServer() > 0 || load.size() > clients)) {
        load.close();
        load = null;
      }
      if (load == null) {
        load = new LoadClients(vertx, server().port, path.equals("sockjs"), ADDRESS);
        loadPath = path;
        subscribe(server, load, clients, warm.add(path));
      } else if (load.size() < clients) {
        // The new clients change the delivery path's profile: the JIT compiles it again, in a
        // warm-up rather than in the first run with them.
        subscribe(server, load, clients - load.size(), warm.contains(path));
      }
      return load;
    }

    void discard() throws InterruptedException {
      if (load != null) {
        load.close();
        load = null;
      }
      if (server != null) {
        server.stop();
        server = null;
      }
    }
  }

  /** How long a rig's server may take to go quiet after a run before it is replaced. */
  private static final int QUIET_SECONDS = 2;

  /**
   * A run publishing at {@code rate} events/s for the run's seconds: {@code fan-out};
   * {@code cross-instance}, the same with the publisher on one cluster member and every subscriber on
   * the other; {@code overload}, offered far more than one core can write (5,000 events/s to 1,000
   * clients: 5 million deliveries/s), for the server's peak resident memory, what it refused, and the
   * latency of what it delivered.
   */
  private static void paced(String scenario, Rig rig, String path, int clients, int rate) throws Exception {
    emit(measure(scenario, rig, path, clients, rate, atRate(rate)));
  }

  /**
   * Publishes at {@code rate} events/s for the run's seconds. A generator swamped by what an overloaded
   * server sends falls behind the rate; it stops at the end of the run all the same, and the rate it
   * achieved is in the result ({@code publishedPerSecond}).
   */
  private static Publishing atRate(int rate) {
    return (publisher, load, tag) -> {
      int events = rate * seconds;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long interval = 1_000_000_000L / rate;
      int n = 0;
      for (; n < events && System.nanoTime() < end; n++) {
        waitUntil(start + n * interval);
        publish(publisher, n, tag);
      }
      return n;
    };
  }

  /** The publisher keeps at most 20 events ahead of the deliveries: as fast as the server keeps up. */
  private static void saturation(Rig rig, String path, int clients) throws Exception {
    emit(measure("saturation", rig, path, clients, 0, (publisher, load, tag) -> saturated(publisher, load, seconds, tag)));
  }

  /** How a run publishes; returns the number of events it published. */
  interface Publishing {
    int publish(WebSocket publisher, LoadClients load, byte tag) throws Exception;
  }

  private static JsonObject measure(String scenario, Rig rig, String path, int clients, int rate,
                                     Publishing publishing) throws Exception {
    LoadClients load = rig.ready(path, clients);
    Server server = rig.server;
    WebSocket publisher = publisher(rig.vertx, server.publishPort);
    AtomicInteger refused = new AtomicInteger();
    publisher.textMessageHandler(text -> {
      if (text.contains("\"overloaded\"")) {
        refused.incrementAndGet();
      }
    });
    long serverCpu = server.cpuNanos();
    long serverSystemCpu = server.systemCpuNanos();
    long ownCpu = ownCpuNanos();
    PeakMemory peak = new PeakMemory(server);
    Map<String, Long> threadCpu = generatorThreadCpu();
    Map<String, Long> serverThreadCpu = server.threadCpu();
    byte tag = nextTag();
    diag("measure " + scenario + " " + rate);
    load.startRecording(tag);
    long start = System.nanoTime();
    int published = publishing.publish(publisher, load, tag);
    close(publisher); // the hub's refusals, unless the close times out
    long expected = (long) (published - refused.get()) * clients;
    diag("published");
    awaitDeliveries(load, expected, DRAIN_SECONDS);
    diag("drained");
    // Refusals a swamped generator reads only after the close timed out are in by now.
    expected = (long) (published - refused.get()) * clients;
    double elapsed = (System.nanoTime() - start) / 1e9;
    peak.stop();
    JsonObject result = record(scenario, server, path, clients, rate, load, expected, elapsed, serverCpu, ownCpu);
    rig.behind = result.getLong("lost") > 0;
    Map<String, Long> serverThreadCpuAfter = server.threadCpu();
    long delivered = result.getLong("delivered");
    // The JIT's share: in runs of seconds it is still compiling, which a long-running hub is not.
    result.put("jitCpuMsPer1000", delivered == 0 ? 0
        : round(cpuOf(serverThreadCpu, serverThreadCpuAfter, JIT_THREADS) / 1e6 / (delivered / 1000.0)));
    if (Boolean.getBoolean("bench.diag")) {
      result.put("generatorThreadCpuShares", busiest(threadCpu, generatorThreadCpu(), elapsed))
          .put("serverThreadCpuShares", busiest(serverThreadCpu, serverThreadCpuAfter, elapsed));
    }
    double serverCpuNanos = server.cpuNanos() - serverCpu;
    return result
        .put("serverSystemCpuShare", serverCpuNanos == 0 ? 0 : round((server.systemCpuNanos() - serverSystemCpu) / serverCpuNanos))
        .put("refused", refused.get()).put("peakRssMiB", peak.peakBytes / (1024 * 1024))
        .put("clientsClosedByServer", load.closedByServer())
        .put("publishedPerSecond", Math.round(published / (double) seconds));
  }

  /** CPU time of the generator's threads by name, from /proc (JIT and GC threads too), to see where its core goes. */
  private static Map<String, Long> generatorThreadCpu() throws IOException {
    return threadCpu(ProcessHandle.current().pid(), new LinkedHashMap<>());
  }

  static Map<String, Long> threadCpu(long pid, Map<String, Long> cpu) throws IOException {
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String text = Files.readString(task.resolve("stat"));
          String name = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')')).replaceAll("[#\\d]+$", "");
          String[] stat = text.substring(text.lastIndexOf(')') + 2).split(" ");
          cpu.merge(name, (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) * 10_000_000L, Long::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return cpu;
  }

  /** /proc keeps 15 characters of a thread's name: "vert.x-eventloop-thread-N" is "vert.x-eventloo". */
  static final String EVENT_LOOP_THREADS = "vert.x-eventloo";
  /** The JIT compilers: "C1 CompilerThread0", "C2 CompilerThread1"... */
  static final String JIT_THREADS = "C[12] CompilerThre";

  /** CPU time between two {@link #threadCpu} readings of the threads whose names match {@code names}. */
  static long cpuOf(Map<String, Long> before, Map<String, Long> after, String names) {
    return after.entrySet().stream().filter(e -> e.getKey().matches(names))
        .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
  }

  private static JsonObject busiest(Map<String, Long> before, Map<String, Long> after, double seconds) {
    JsonObject shares = new JsonObject();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
        .forEach(e -> shares.put(e.getKey(), round(e.getValue() / 1e9 / seconds)));
    return shares;
  }

  /** With -Dbench.diag=true: what the benchmark is doing, and when (seconds since it began). */
  static void diag(String what) {
    if (Boolean.getBoolean("bench.diag")) {
      System.out.printf("diag %.1f %s%n", (System.nanoTime() - BEGAN) / 1e9, what);
    }
  }

  /** Closes a publisher, waiting for the server's answer 2 s at most: an overloaded stock bridge gives none. */
  private static void close(WebSocket publisher) {
    try {
      publisher.close().timeout(2, TimeUnit.SECONDS).await();
    } catch (Exception e) {
      // closed all the same
    }
  }

  /** The runs' tags: upper-case letters, {@link LoadClients#PROBE_TAG} left out. */
  private static final String TAGS = "ABCDEFGHIJKLMNOQRSTUVWXYZ";
  private static int runs;

  private static byte nextTag() {
    return (byte) TAGS.charAt(runs++ % TAGS.length());
  }

  /** The server's largest resident memory while a run lasts, sampled every 50 ms. */
  private static final class PeakMemory {
    private final Thread sampler;
    private volatile boolean running = true;
    volatile long peakBytes;

    PeakMemory(Server server) {
      sampler = new Thread(() -> {
        while (running) {
          peakBytes = Math.max(peakBytes, server.rssBytes());
          LockSupport.parkNanos(50_000_000L);
        }
      });
      sampler.setDaemon(true);
      sampler.start();
    }

    void stop() throws InterruptedException {
      running = false;
      sampler.join();
    }
  }

  /**
   * A reconnect storm: {@code clients} connects over {@link #SESSIONS} login sessions the server has
   * not seen yet (cold session cache), then {@link #WARM_STORMS} more (warm). The hub checks each
   * session in the real database; the stock bridge has no login check, so its figure is the plain
   * connect.
   *
   * <p>The server runs on one core, so its process CPU includes the JIT compiler's: a fresh JVM
   * compiles the handshake path for many thousands of connects. The storms run on the idle
   * scenario's server, after its 10,000 connects, yet the JIT still takes a third to a half of the
   * CPU in them ({@link #WARM_UP_STORMS} unmeasured storms may come first; a few did not change that
   * much). After each storm the clients close and the server is given time to settle (bounded), so
   * one storm's disconnects are not counted as the next one's connects.
   * {@code eventLoopCpuMsPerHandshake} is the event loops' share alone (no JIT, GC or VM threads),
   * {@code jitCpuMsPerHandshake} the JIT compilers'.
   */
  private static void handshakes(Vertx vertx, Server server, String path, int clients) throws Exception {
    for (int i = 0; i < WARM_UP_STORMS; i++) {
      LoadClients load = new LoadClients(vertx, server.port, path.equals("sockjs"), ADDRESS);
      load.connect(clients, 100, "", Benchmark::cookie);
      load.close();
      diag("warm-up storm");
      server.awaitQuiet(10);
      diag("quiet");
    }
    storms(vertx, server, path, clients, "cold", 1);
    storms(vertx, server, path, clients, "warm", WARM_STORMS);
  }

  static final int WARM_UP_STORMS = Integer.getInteger("bench.hsWarmUp", 0);
  static final int WARM_STORMS = 1;

  private static void storms(Vertx vertx, Server server, String path, int clients, String cache, int storms)
      throws Exception {
    long serverCpu = 0;
    long loopCpu = 0;
    long jitCpu = 0;
    long nanos = 0;
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < storms; i++) {
      LoadClients load = new LoadClients(vertx, server.port, path.equals("sockjs"), ADDRESS);
      long cpuBefore = server.cpuNanos();
      Map<String, Long> threadsBefore = server.threadCpu();
      long start = System.nanoTime();
      load.connect(clients, 100, "", Benchmark::unseenCookie);
      nanos += System.nanoTime() - start;
      serverCpu += server.cpuNanos() - cpuBefore;
      Map<String, Long> threadsAfter = server.threadCpu();
      loopCpu += cpuOf(threadsBefore, threadsAfter, EVENT_LOOP_THREADS);
      jitCpu += cpuOf(threadsBefore, threadsAfter, JIT_THREADS);
      for (long m : load.handshakeMicros()) {
        all.add(m);
      }
      diag("storm " + cache + " " + busiest(threadsBefore, threadsAfter, 1.0));
      load.close();
      server.awaitQuiet(10);
      diag("quiet");
    }
    long[] micros = all.stream().mapToLong(Long::longValue).sorted().toArray();
    long total = (long) clients * storms;
    emit(base("handshake-" + cache, server, path, clients, 0)
        .put("sessions", SESSIONS).put("storms", storms).put("connected", micros.length)
        .put("handshakesPerSecond", Math.round(total / (nanos / 1e9)))
        .put("p50ms", micros.length == 0 ? 0 : micros[micros.length / 2] / 1000.0)
        .put("p99ms", micros.length == 0 ? 0 : micros[(int) (micros.length * 0.99)] / 1000.0)
        .put("serverCpuMsPerHandshake", round3(serverCpu / 1e6 / total))
        .put("eventLoopCpuMsPerHandshake", round3(loopCpu / 1e6 / total))
        .put("jitCpuMsPerHandshake", round3(jitCpu / 1e6 / total)));
  }

  static String sessionId(int i) {
    return "bench-session-" + i + "-0123456789abcdef";
  }

  /** Every client is logged in: one of the 200 seeded sessions (the stock bridge ignores it). */
  static String cookie(int client) {
    return "PHPSESSID=" + sessionId(client % SESSIONS);
  }

  static final int SESSIONS = 200;

  /** The handshake storms' sessions: 200 others, which the idle scenario's clients did not use. */
  static String unseenCookie(int client) {
    return "PHPSESSID=" + sessionId(SESSIONS + client % SESSIONS);
  }

  /** {@code -Dbench.idleClients}: every 10,000 clients connect from another loopback source address. */
  private static final int IDLE_CLIENTS = Integer.getInteger("bench.idleClients", 10_000);

  /**
   * 10,000 idle clients ({@code -Dbench.idleClients}), connected, logged in and subscribed (a probe event has reached every one).
   * Memory is read as an operator sees it after the server has collected its garbage: a full GC in
   * the server JVM ({@code jcmd GC.class_histogram}, which also gives the live heap) before and after,
   * then its resident set. {@code -Dbench.diag=true} also writes the class histograms and, when the
   * server runs with {@code -XX:NativeMemoryTracking=summary} ({@code -Dbench.serverJvmArgs}), the
   * native memory summaries to target/bench-idle-*.txt.
   */
  private static void idle(Vertx vertx, Server server, String path, int clients) throws Exception {
    long liveBefore = server.liveHeapBytes("before");
    long rssBefore = server.settledRssBytes();
    LoadClients load = new LoadClients(vertx, server.port, path.equals("sockjs"), ADDRESS);
    Map<String, Long> serverThreads = server.threadCpu();
    Map<String, Long> generatorThreads = generatorThreadCpu();
    // Half first, measured: the second half's growth is what one more client costs, without the
    // classes loaded and the code compiled for the first connections.
    double connectRate = load.connect(clients / 2, 200, "");
    long[] half = idleMemory(vertx, server, load, "half");
    connectRate = (connectRate + load.connect(clients - clients / 2, 200, "")) / 2;
    diag("connected " + clients + ", server " + busiest(serverThreads, server.threadCpu(), 1.0)
        + ", generator " + busiest(generatorThreads, generatorThreadCpu(), 1.0));
    long rssNoGc = server.rssBytes();
    long[] all = idleMemory(vertx, server, load, "after");
    boolean quiet = all[2] == 1;
    int secondHalf = clients - clients / 2;
    JsonObject result = base("idle", server, path, clients, 0)
        .put("connected", load.size())
        .put("quiet", quiet)
        .put("connectsPerSecond", Math.round(connectRate))
        .put("rssBytesPerConnection", (all[1] - rssBefore) / clients)
        .put("rssBytesPerConnectionBeforeGc", (rssNoGc - rssBefore) / clients)
        .put("rssBytesPerAddedConnection", (all[1] - half[1]) / secondHalf)
        .put("liveHeapBytesPerConnection", (all[0] - liveBefore) / clients)
        .put("liveHeapBytesPerAddedConnection", (all[0] - half[0]) / secondHalf)
        .put("rssMiB", all[1] / (1024 * 1024));
    emit(result);
    load.close();
    diag("closed");
  }

  /**
   * Once every client is subscribed (a probe reached each) and the server is quiet: its live heap
   * (after a full GC), then its resident set; and whether it was quiet (1) or still busy (0).
   */
  private static long[] idleMemory(Vertx vertx, Server server, LoadClients load, String label) throws Exception {
    WebSocket probe = publisher(vertx, server.publishPort);
    awaitSubscribed(load, probe);
    probe.close();
    diag("subscribed " + load.size());
    // Idle means idle: a server that fell behind on the probes still holds them.
    boolean quiet = server.awaitQuiet(10);
    long live = server.liveHeapBytes(label);
    long rss = server.settledRssBytes();
    diag("heap measured (" + label + "), quiet " + quiet);
    return new long[] {live, rss, quiet ? 1 : 0};
  }

  /**
   * How long after the last publish deliveries are still counted: what a server has not delivered by
   * then counts as lost (the hub refuses or sheds instead; the stock bridge queues without bound).
   */
  private static final int DRAIN_SECONDS = 2;

  /**
   * Connects {@code clients} more clients and waits until every subscription is in place; a new
   * server is then warmed up, hub and baseline alike: 2 s of uncounted events as fast as the server
   * delivers them (at most 20 ahead of it, so neither server starts its runs with a backlog), so that
   * runs measure the compiled delivery path rather than the JIT compiling it. Then a quiet server.
   */
  private static void subscribe(Server server, LoadClients load, int clients, boolean warmUp) throws Exception {
    load.connect(clients, 200, "");
    diag("connected " + load.size());
    WebSocket probe = publisher(load.vertx(), server.publishPort);
    awaitSubscribed(load, probe);
    probe.close();
    diag("subscribed");
    if (warmUp) {
      WebSocket publisher = publisher(load.vertx(), server.publishPort);
      byte tag = nextTag();
      load.startRecording(tag);
      saturated(publisher, load, WARM_UP_SECONDS, tag);
      close(publisher);
      load.stopRecording();
      diag("warmed up");
    }
    server.awaitQuiet(warmUp ? 3 : 2);
    diag("quiet");
  }

  private static final int WARM_UP_SECONDS = 2;

  /** Publishes for {@code seconds}, at most 20 events ahead of the deliveries; returns the number published. */
  private static int saturated(WebSocket publisher, LoadClients load, int seconds, byte tag) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int clients = load.size();
    int published = 0;
    while (System.nanoTime() < deadline) {
      if ((long) published * clients - load.delivered.get() < 20L * clients) {
        publish(publisher, published++, tag);
      } else {
        LockSupport.parkNanos(50_000);
      }
    }
    return published;
  }

  /** Probes until every client has received one (30 s at most), so every subscription is in place. */
  private static void awaitSubscribed(LoadClients load, WebSocket probe) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!load.allReceived() && System.nanoTime() < deadline) {
      publish(probe, -1, LoadClients.PROBE_TAG);
      // The next probe only once this one has stopped reaching clients: a slow server with 10,000
      // clients is not buried under probes it then spends seconds delivering.
      int reached;
      do {
        reached = load.reached();
        Thread.sleep(100);
      } while (load.reached() > reached && !load.allReceived());
    }
  }

  private static WebSocket publisher(Vertx vertx, int port) {
    return vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket").addHeader("Cookie", cookie(0))).await();
  }

  /** An event of about 200 bytes: its number, its send time and padding that ends with its run's tag. */
  private static void publish(WebSocket publisher, int n, byte tag) {
    publisher.writeTextMessage(new JsonObject().put("type", "publish").put("address", ADDRESS)
        .put("body", new JsonObject().put("n", n).put("t", System.nanoTime()).put("pad", PAD + (char) tag)).encode());
  }

  /** Parks rather than spins: the generator's event loops share its one core with this thread. */
  private static void waitUntil(long due) {
    for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /**
   * Waits until every expected delivery is in, at most {@code maxSeconds}, or until nothing more has
   * arrived for a second (a busy server may pause for a garbage collection or the JIT).
   */
  private static void awaitDeliveries(LoadClients load, long expected, int maxSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    long last = -1;
    long lastProgress = System.nanoTime();
    while (load.delivered.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = load.delivered.get();
      if (now != last) {
        last = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(1)) {
        break; // nothing more is coming
      }
    }
    load.stopRecording();
  }

  private static JsonObject record(String scenario, Server server, String path, int clients, int rate, LoadClients load,
                             long expected, double elapsed, long serverCpuBefore, long ownCpuBefore) {
    long delivered = load.delivered.get();
    double serverCpuMs = (server.cpuNanos() - serverCpuBefore) / 1e6;
    double ownCpuShare = (ownCpuNanos() - ownCpuBefore) / 1e9 / elapsed;
    double[] latency = load.latencies();
    return base(scenario, server, path, clients, rate)
        .put("deliveriesPerSecond", Math.round(delivered / elapsed))
        .put("expected", expected).put("delivered", delivered).put("lost", Math.max(0, expected - delivered))
        .put("p50ms", latency[0]).put("p99ms", latency[1]).put("p999ms", latency[2]).put("maxms", latency[3])
        .put("serverCpuMsPer1000", delivered == 0 ? 0 : round(serverCpuMs / (delivered / 1000.0)))
        .put("generatorCpuShare", round(ownCpuShare))
        .put("generatorBound", ownCpuShare > 0.9);
  }

  private static JsonObject base(String scenario, Server server, String path, int clients, int rate) {
    return new JsonObject().put("scenario", scenario).put("server", server.kind).put("path", path)
        .put("clients", clients).put("rate", rate).put("seconds", seconds);
  }

  private static void emit(JsonObject result) {
    result.put("atSeconds", Math.round((System.nanoTime() - BEGAN) / 1e9));
    results.add(result);
    System.out.println(result.encode());
  }

  /** One row per scenario and path: the hub's figures and the ratio to the baseline's. */
  private static void printTable() {
    System.out.println();
    System.out.printf("%-10s %-6s %6s %5s | %10s %7s %8s %9s | %10s %8s %9s | %6s%n", "scenario", "path", "C", "R",
        "hub del/s", "lost", "p99 ms", "ms/1000", "base del/s", "p99 ms", "ms/1000", "cpu x");
    Map<String, JsonObject> baseline = new LinkedHashMap<>();
    for (JsonObject r : results) {
      if (r.getString("server").equals("baseline") && !r.containsKey("error")) {
        baseline.put(key(r), r);
      }
    }
    // By path, in the order they ran.
    List<JsonObject> byPath = results.stream()
        .sorted(java.util.Comparator.comparingInt(r -> PATHS.indexOf(r.getString("path")))).toList();
    for (JsonObject hub : byPath) {
      if (!hub.getString("server").equals("hub") || hub.containsKey("error")) {
        continue;
      }
      JsonObject base = baseline.getOrDefault(key(hub), new JsonObject());
      if (hub.getString("scenario").startsWith("handshake")) {
        System.out.printf("%-10s %-6s %6d %5s | %,d/s, p99 %.1f ms, %.3f ms CPU each (%.3f event loop, %.3f JIT) | baseline (no login check) %,d/s, p99 %.1f ms, %.3f ms (%.3f, %.3f)%n",
            hub.getString("scenario").replace("handshake", "hs"), hub.getString("path"), hub.getInteger("clients"), "-",
            hub.getLong("handshakesPerSecond"), hub.getDouble("p99ms"), hub.getDouble("serverCpuMsPerHandshake"),
            hub.getDouble("eventLoopCpuMsPerHandshake"), hub.getDouble("jitCpuMsPerHandshake"),
            base.getLong("handshakesPerSecond", 0L), base.getDouble("p99ms", 0.0), base.getDouble("serverCpuMsPerHandshake", 0.0),
            base.getDouble("eventLoopCpuMsPerHandshake", 0.0), base.getDouble("jitCpuMsPerHandshake", 0.0));
        continue;
      }
      if (hub.getString("scenario").equals("idle")) {
        System.out.printf("%-10s %-6s %6d %5s | %,d B/conn RSS (%,d per added), %,d live heap (%,d), %d connects/s | baseline %,d B/conn (%,d), %,d live heap (%,d), %d connects/s%n",
            "idle", hub.getString("path"), hub.getInteger("clients"), "-", hub.getLong("rssBytesPerConnection"),
            hub.getLong("rssBytesPerAddedConnection"), hub.getLong("liveHeapBytesPerConnection"),
            hub.getLong("liveHeapBytesPerAddedConnection"), hub.getLong("connectsPerSecond"),
            base.getLong("rssBytesPerConnection", 0L), base.getLong("rssBytesPerAddedConnection", 0L),
            base.getLong("liveHeapBytesPerConnection", 0L), base.getLong("liveHeapBytesPerAddedConnection", 0L),
            base.getLong("connectsPerSecond", 0L));
        continue;
      }
      if (hub.getString("scenario").equals("overload")) {
        System.out.printf("%-10s %-6s %6d %5d | %,d del/s, %d refused, %d lost, %d clients closed, p99 %.1f ms, peak %d MiB | baseline %,d del/s, %d lost, p99 %.1f ms, peak %d MiB%n",
            "overload", hub.getString("path"), hub.getInteger("clients"), hub.getInteger("rate"),
            hub.getLong("deliveriesPerSecond"), hub.getInteger("refused"), hub.getLong("lost"),
            hub.getInteger("clientsClosedByServer"), hub.getDouble("p99ms"),
            hub.getLong("peakRssMiB"), base.getLong("deliveriesPerSecond", 0L), base.getLong("lost", 0L),
            base.getDouble("p99ms", 0.0), base.getLong("peakRssMiB", 0L));
        continue;
      }
      double hubCpu = hub.getDouble("serverCpuMsPer1000");
      double baseCpu = base.getDouble("serverCpuMsPer1000", 0.0);
      System.out.printf("%-10s %-6s %6d %5d | %,10d %7d %8.1f %9.2f | %,10d %8.1f %9.2f | %6.2f%s%n",
          hub.getString("scenario"), hub.getString("path"), hub.getInteger("clients"), hub.getInteger("rate"),
          hub.getLong("deliveriesPerSecond"), hub.getLong("lost"), hub.getDouble("p99ms"), hubCpu,
          base.getLong("deliveriesPerSecond", 0L), base.getDouble("p99ms", 0.0), baseCpu,
          baseCpu == 0 ? 0 : hubCpu / baseCpu, hub.getBoolean("generatorBound") ? "  (generator-bound)" : "");
    }
  }

  private static String key(JsonObject r) {
    return r.getString("scenario") + "/" + r.getString("path") + "/" + r.getInteger("clients") + "/" + r.getInteger("rate");
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Pins every thread of a process to one core, so figures compare between runs. */
  static void pin(long pid, int core) {
    try {
      Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(core), Long.toString(pid))
          .redirectErrorStream(true).start();
      taskset.getInputStream().readAllBytes();
      taskset.waitFor();
    } catch (IOException e) {
      System.err.println("taskset unavailable, running unpinned: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The server under test: one JVM, or for cross-instance runs two clustered ones (subscribers on the
   * second, the publisher on the first), all pinned to core 0.
   */
  static final class Server {
    final String kind;
    final List<Process> processes;
    /** Where subscribers connect. */
    final int port;
    /** Where the publisher connects: the same server, or the other member of a cluster. */
    final int publishPort;

    final String path;

    private Server(String kind, String path, List<Process> processes, int port, int publishPort) {
      this.kind = kind;
      this.path = path;
      this.processes = processes;
      this.port = port;
      this.publishPort = publishPort;
    }

    static Server start(String kind, String path) throws IOException {
      diag("start " + kind + "/" + path);
      Started one = awaitReady(kind, launch(kind, path, kind.equals("hub") ? List.of(BenchServer.hubConfig(database).encode()) : List.of(), List.of()));
      return new Server(kind, path, List.of(one.process), one.port, one.port);
    }

    /** A hub with its own settings and extra JVM flags (the history benchmark's servers). */
    static Server startHub(JsonObject hubConfig, List<String> jvmFlags) throws IOException {
      diag("start hub " + hubConfig.encode());
      Started one = awaitReady("hub", launch("hub", "raw", List.of(hubConfig.encode()), jvmFlags));
      return new Server("hub", "raw", List.of(one.process), one.port, one.port);
    }

    /**
     * Two members on loopback Hazelcast ports (static member list), started together, with Hazelcast's
     * waits before joining at 1 and 2 s instead of 5 and 20 (a member that finds no master waits out
     * the longer one): startup time only, for hub and baseline alike.
     */
    static Server startCluster(String kind, String path) throws IOException {
      diag("start cluster " + kind + "/" + path);
      int[] hazelcast = {HubProcess.freePort(), HubProcess.freePort()};
      String members = "127.0.0.1:" + hazelcast[0] + ",127.0.0.1:" + hazelcast[1];
      List<Process> launched = new ArrayList<>();
      for (int port : hazelcast) {
        List<String> args = kind.equals("hub")
            ? List.of(BenchServer.hubConfig(database).put("cluster", new JsonObject().put("enabled", true)
                .put("name", "bench").put("hazelcastPort", port)
                .put("members", new io.vertx.core.json.JsonArray(List.of(members.split(","))))).encode())
            : List.of(Integer.toString(port), members);
        launched.add(launch(kind, path, args, List.of("-Dhazelcast.wait.seconds.before.join=1",
            "-Dhazelcast.max.wait.seconds.before.join=2")));
      }
      List<Started> started = new ArrayList<>();
      for (Process process : launched) {
        started.add(awaitReady(kind, process));
      }
      return new Server(kind, path, started.stream().map(Started::process).toList(), started.get(1).port, started.get(0).port);
    }

    private record Started(Process process, int port) {}

    /** The servers' last output lines, to say why a run failed. */
    private static final java.util.ArrayDeque<String> LAST_LINES = new java.util.ArrayDeque<>();

    List<String> lastLines() {
      synchronized (LAST_LINES) {
        return new ArrayList<>(LAST_LINES);
      }
    }

    List<String> exitCodes() {
      return processes.stream().map(p -> p.isAlive() ? "running" : "exited " + p.exitValue()).toList();
    }

    private static Process launch(String kind, String path, List<String> args, List<String> jvmFlags) throws IOException {
      // Started on both cores (the generator idles meanwhile; without taskset a child would inherit
      // the generator's pinning to core 1), pinned to core 0 once it is ready: a JVM's start,
      // Hazelcast's above all, is mostly the JIT compiling, and two members on one core took 30 s.
      List<String> command = new ArrayList<>(List.of("taskset", "-c", "0,1",
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(productionJvmFlags());
      String extra = System.getProperty("bench.serverJvmArgs", "");
      if (!extra.isBlank()) {
        command.addAll(List.of(extra.trim().split("\\s+")));
      }
      command.addAll(jvmFlags);
      if (Boolean.getBoolean("bench.jfr")) {
        command.add("-XX:StartFlightRecording=settings=profile,filename=target/bench-" + kind + "-" + path
            + "-" + System.nanoTime() + ".jfr");
      }
      command.addAll(List.of(
          "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
          "-cp", System.getProperty("java.class.path"), BenchServer.class.getName(), kind));
      command.addAll(args);
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the server's output until it says READY, then drains the rest in the background. */
    private static Started awaitReady(String kind, Process process) throws IOException {
      BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("READY ")) {
          pin(process.pid(), 0);
          diag("ready " + kind);
          int port = Integer.parseInt(line.substring(6).trim());
          // -Dbench.serverLog=true shows what the servers log.
          boolean show = Boolean.getBoolean("bench.serverLog");
          Thread drain = new Thread(() -> reader.lines().forEach(l -> {
            synchronized (LAST_LINES) {
              LAST_LINES.addLast(kind + "> " + l);
              if (LAST_LINES.size() > 20) {
                LAST_LINES.removeFirst();
              }
            }
            if (show) {
              System.out.println(kind + "> " + l);
            }
          }));
          drain.setDaemon(true);
          drain.start();
          return new Started(process, port);
        }
      }
      throw new IOException(kind + " server did not start");
    }

    /**
     * Hub and baseline alike run with the JVM flags the image ships (k8s/image/Containerfile's
     * ENTRYPOINT), sized as in the production overlay: -XX:MaxRAM=2g stands for its 2 GiB memory limit
     * (this machine's 24 GiB would otherwise size the heap, 384 MB of it from the start).
     */
    static List<String> productionJvmFlags() throws IOException {
      String entrypoint = Files.readAllLines(Path.of("k8s", "image", "Containerfile")).stream()
          .filter(line -> line.startsWith("ENTRYPOINT ")).findFirst()
          .orElseThrow(() -> new IOException("no ENTRYPOINT in k8s/image/Containerfile"));
      List<String> flags = new ArrayList<>(List.of("-XX:MaxRAM=2g"));
      new io.vertx.core.json.JsonArray(entrypoint.substring("ENTRYPOINT ".length())).stream().map(String::valueOf)
          .filter(arg -> arg.startsWith("-X") || arg.startsWith("-D")).forEach(flags::add);
      return flags;
    }

    /** Waits (at most {@code maxSeconds}) until the server uses under 5 % of its core over half a second. */
    boolean awaitQuiet(int maxSeconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
      while (System.nanoTime() < deadline) {
        long before = cpuNanos();
        Thread.sleep(500);
        if (cpuNanos() - before < 25_000_000L) {
          return true;
        }
      }
      return false;
    }

    /** User + system CPU of the server processes, from /proc. */
    long cpuNanos() {
      return cpuNanos(true);
    }

    /** System (kernel) CPU of the server processes: socket writes and reads, mostly. */
    long systemCpuNanos() {
      return cpuNanos(false);
    }

    private long cpuNanos(boolean withUser) {
      long ticks = 0;
      for (Process process : processes) {
        try {
          String[] stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat")).split("\\) ")[1].split(" ");
          ticks += (withUser ? Long.parseLong(stat[11]) : 0) + Long.parseLong(stat[12]);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    /**
     * The server's live heap: {@code jcmd GC.class_histogram} collects first (a full GC in the server,
     * not in this JVM), then counts what is left. With -Dbench.diag=true the histogram (and the native
     * memory summary, when tracking is on) is kept in target/bench-idle-KIND-PATH-LABEL-*.txt.
     */
    long liveHeapBytes(String label) throws IOException, InterruptedException {
      long total = 0;
      for (Process process : processes) {
        String histogram = jcmd(process, "GC.class_histogram");
        String[] last = histogram.strip().lines().reduce((a, b) -> b).orElse("").trim().split("\\s+");
        if (!last[0].equals("Total")) {
          throw new IOException("unexpected class histogram: " + histogram.lines().limit(3).toList());
        }
        total += Long.parseLong(last[2]);
        if (Boolean.getBoolean("bench.diag")) {
          String name = "target/bench-idle-" + kind + "-" + path + "-" + label + "-" + process.pid();
          Files.writeString(Path.of(name + "-histo.txt"), histogram);
          String nmt = jcmd(process, "VM.native_memory", "summary");
          if (!nmt.contains("not enabled")) {
            Files.writeString(Path.of(name + "-nmt.txt"), nmt);
          }
        }
      }
      return total;
    }

    private static String jcmd(Process process, String... command) throws IOException, InterruptedException {
      List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(process.pid())));
      args.addAll(List.of(command));
      Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out);
      }
      return out;
    }

    /** CPU time of the server processes' threads, by name. */
    Map<String, Long> threadCpu() throws IOException {
      Map<String, Long> cpu = new LinkedHashMap<>();
      for (Process process : processes) {
        Benchmark.threadCpu(process.pid(), cpu);
      }
      return cpu;
    }

    /**
     * The resident set as a hub that settled has it: after a full GC (made before this by
     * {@link #liveHeapBytes}; the image's -XX:G1PeriodicGCInterval does it by itself) and a trim of
     * the C heap (what -XX:TrimNativeHeapInterval does by itself: memory the JVM's native code freed,
     * the JIT's arenas above all, goes back to the system), once it stops falling (G1 uncommits the
     * heap it shrank in the background). At most 5 s.
     */
    long settledRssBytes() throws IOException, InterruptedException {
      for (Process process : processes) {
        jcmd(process, "System.trim_native_heap");
      }
      long previous = rssBytes();
      for (int i = 0; i < 25; i++) {
        Thread.sleep(200);
        long now = rssBytes();
        diag("rss " + now / 1024 + " KiB");
        if (previous - now < 256 * 1024) {
          return Math.min(previous, now);
        }
        previous = now;
      }
      return previous;
    }

    long rssBytes() {
      long bytes = 0;
      for (Process process : processes) {
        try {
          for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
              bytes += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return bytes;
    }

    /** SIGTERM first, so a flight recording is written out; then SIGKILL if it lingers. */
    void stop() throws InterruptedException {
      diag("stop");
      for (Process process : processes) {
        process.destroy();
      }
      // A flight recording takes its time to be written; otherwise a server that lingers is stuck in a backlog.
      int patience = Boolean.getBoolean("bench.jfr") ? 15 : 1;
      for (Process process : processes) {
        if (!process.waitFor(patience, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }
}
