package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.doctor.Routing.Kind;
import io.eventhub.doctor.Routing.Request;
import io.eventhub.doctor.Routing.Route;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checks on the configuration alone: finds the hosts that proxy the hub's paths, then runs each
 * concern's checks on them ({@link ProxyChecks}, {@link ForwardingChecks}, {@link WorkerCheck}) and
 * the PEM preflight on every certificate the configuration loads ({@link CertificateCheck}).
 */
final class StaticChecks {
  /** The hub's public base path (CONTRACTS.md). */
  static final String BASE = "/eventbus";

  /** A host that proxies the hub, with where each kind of hub request goes (indexes below). */
  record HubHost(Host host, List<Request> requests, List<Route> routes) {
    static final int INFO = 0;
    static final int RAW = 1;
    static final int SOCKJS = 2;
    static final int STREAM = 3;
    static final List<String> LABELS = List.of(BASE + "/info", "the raw WebSocket " + BASE + "/websocket",
        "SockJS's websocket transport " + BASE + "/<server>/<session>/websocket",
        "SockJS's xhr-streaming " + BASE + "/<server>/<session>/xhr_streaming");

    Route route(int which) {
      return routes.get(which);
    }

    Request request(int which) {
      return requests.get(which);
    }
  }

  private StaticChecks() {}

  static List<Finding> run(ApacheSetup setup, HubFacts hub, Integer expectedSockets) {
    List<Finding> findings = new ArrayList<>(setup.problems());
    List<HubHost> hubHosts = new ArrayList<>();
    for (Host host : setup.hosts()) {
      List<Request> requests = requests(host);
      List<Route> routes = requests.stream().map(r -> Routing.route(host, r, Set.of())).toList();
      boolean proxied = routes.stream().anyMatch(r -> r.kind() == Kind.PROXY && r.target() != null && r.target().contains(BASE));
      if (proxied) {
        hubHosts.add(new HubHost(host, requests, routes));
      }
    }
    if (hubHosts.isEmpty()) {
      String root = setup.files().isEmpty() ? "" : setup.files().get(0).toString();
      findings.add(new Finding(Severity.ERROR, "hub-not-proxied", root, 0,
          "no virtual host proxies " + BASE + " to the hub (read " + setup.files().size() + " file(s), "
              + setup.hosts().size() + " host(s))",
          "add ProxyPass \"" + BASE + "\" \"balancer://eventhub" + BASE + "\" to the site's <VirtualHost *:443> "
              + "(see apache/event-hub.conf), or pass the file that does with --apache-config", ""));
    }
    for (HubHost hubHost : hubHosts) {
      ProxyChecks.check(setup, hubHost, findings);
      ForwardingChecks.check(setup, hub, hubHost, findings);
    }
    WorkerCheck.check(setup, expectedSockets, findings);
    CertificateCheck.check(setup, findings);
    return findings;
  }

  /** info, raw WebSocket, SockJS websocket transport, xhr-streaming: the requests a browser makes. */
  static List<Request> requests(Host host) {
    boolean tls = host.tls();
    String name = host.effective("ServerName").map(d -> d.arg(0)).orElse("localhost");
    return List.of(
        new Request("GET", BASE + "/info", false, tls, name),
        new Request("GET", BASE + "/websocket", true, tls, name),
        new Request("GET", BASE + "/123/doctor00/websocket", true, tls, name),
        new Request("POST", BASE + "/123/doctor00/xhr_streaming", false, tls, name));
  }
}
