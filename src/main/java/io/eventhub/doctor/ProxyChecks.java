package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.doctor.Routing.Backend;
import io.eventhub.doctor.Routing.Kind;
import io.eventhub.doctor.Routing.Route;
import io.eventhub.doctor.StaticChecks.HubHost;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Does each kind of hub request get where it must: WebSocket upgrades tunnelled (not sent to
 * {@code http://} without {@code upgrade=websocket}, not shadowed by an earlier rule), the modules
 * that serve each scheme loaded, and SockJS's HTTP transports sticky when there is more than one hub.
 */
final class ProxyChecks {
  private static final String STICKY_FIX = "give each BalancerMember a route (route=hub1, route=hub2), add "
      + "ProxySet stickysession=EVENTHUB_ROUTE and Header add Set-Cookie \"EVENTHUB_ROUTE=.%{BALANCER_WORKER_ROUTE}e; "
      + "Path=/eventbus; Secure; HttpOnly; SameSite=Lax\" env=BALANCER_ROUTE_CHANGED (as apache/event-hub.conf does)";

  private ProxyChecks() {}

  static void check(ApacheSetup setup, HubHost hub, List<Finding> findings) {
    List<Directive> passes = setup.all("ProxyPass");
    for (int which : new int[] {HubHost.RAW, HubHost.SOCKJS}) {
      webSocket(setup, hub, which, passes, findings);
    }
    for (int which : new int[] {HubHost.INFO, HubHost.STREAM}) {
      Route route = hub.route(which);
      if (route.kind() != Kind.PROXY) {
        findings.add(Finding.at(Severity.ERROR, "sockjs-not-proxied", where(route, hub),
            hub.host().label() + ": " + HubHost.LABELS.get(which) + " is " + outcome(route) + ", not proxied to the hub: "
                + "SockJS clients cannot connect",
            "proxy all of " + StaticChecks.BASE + " (ProxyPass \"" + StaticChecks.BASE + "\" \"balancer://eventhub"
                + StaticChecks.BASE + "\"), not only its WebSocket paths"));
      } else {
        modules(setup, Routing.backend(hub.host(), route, passes), route, findings);
      }
    }
    Route stream = hub.route(HubHost.STREAM);
    if (stream.kind() == Kind.PROXY) {
      stickiness(setup, hub, Routing.backend(hub.host(), stream, passes), stream, findings);
    }
  }

  private static void webSocket(ApacheSetup setup, HubHost hub, int which, List<Directive> passes, List<Finding> findings) {
    Route route = hub.route(which);
    String what = hub.host().label() + ": " + HubHost.LABELS.get(which);
    if (route.kind() != Kind.PROXY) {
      findings.add(Finding.at(Severity.ERROR, "websocket-not-proxied", where(route, hub),
          what + " is " + outcome(route) + ", not proxied to the hub", "proxy every path under " + StaticChecks.BASE));
      return;
    }
    Backend backend = Routing.backend(hub.host(), route, passes);
    modules(setup, backend, route, findings);
    if (backend.upgrades()) {
      if (backend.scheme().equals("http") && !setup.version().atLeast(ApacheVersion.UPGRADE_PARAMETER)) {
        findings.add(Finding.at(Severity.ERROR, "upgrade-needs-2.4.47", backend.decidedBy(),
            "upgrade=websocket needs Apache 2.4.47 or later; this is " + setup.version() + " and refuses the parameter",
            "use apache/event-hub-legacy.conf (mod_proxy_wstunnel and a RewriteRule to ws://), or upgrade Apache"));
      }
      return;
    }
    // An earlier rule may hide one that would tunnel: try without the rules that catch it.
    Set<Directive> skipped = new HashSet<>();
    Route current = route;
    for (int i = 0; i < 8 && current.kind() == Kind.PROXY && current.rule() != null; i++) {
      Backend b = Routing.backend(hub.host(), current, passes);
      if (b.upgrades()) {
        findings.add(Finding.at(Severity.ERROR, "websocket-rule-order", route.rule(),
            what + " matches " + route.rule().text() + " first, which sends it to " + route.target()
                + " without the upgrade; the rule at " + current.rule().where() + " that would tunnel it never runs",
            order(route.rule(), current.rule())));
        return;
      }
      skipped.add(current.rule());
      current = Routing.route(hub.host(), hub.request(which), skipped);
    }
    boolean modern = setup.version().atLeast(ApacheVersion.UPGRADE_PARAMETER);
    String message = what + " is proxied to " + route.target() + " without the WebSocket upgrade ("
        + (backend.balancer() != null ? "BalancerMember without upgrade=websocket" : "no upgrade=websocket on "
        + backend.decidedBy().text()) + "): Apache drops the Upgrade header and the hub answers 400 '"
        + Answers.NOT_UPGRADED + "'";
    String tunnelRule = tunnellingRewrite(hub.host());
    if (tunnelRule != null) {
      message += "; the rewrite rule at " + tunnelRule + " tunnels only the paths its conditions name";
    }
    String fix = modern
        ? (backend.balancer() != null ? "add upgrade=websocket to every BalancerMember of " + backend.balancer().name()
            : "add upgrade=websocket to " + backend.decidedBy().text())
        : "before the ProxyPass: RewriteCond %{HTTP:Upgrade} =websocket [NC] and RewriteRule ^/eventbus/(.*)$ "
            + "ws://HUB/eventbus/$1 [P,L] (mod_proxy_wstunnel; see apache/event-hub-legacy.conf)";
    if (tunnelRule != null) {
      fix = "test the request, not the path: RewriteCond %{HTTP:Upgrade} =websocket [NC] before the RewriteRule at "
          + tunnelRule + ", with the pattern ^/eventbus/(.*)$; or " + fix;
    }
    findings.add(Finding.at(Severity.ERROR, "websocket-not-upgraded", backend.decidedBy(), message, fix));
  }

  private static String order(Directive first, Directive tunnelling) {
    if (first.is("RewriteRule")) {
      return "RewriteRule [P] runs before every ProxyPass: add RewriteCond %{HTTP:Upgrade} !=websocket [NC] above "
          + first.where() + ", or let that rule send upgrades to ws:// (or a worker with upgrade=websocket)";
    }
    return "httpd uses the first ProxyPass that matches: move the line at " + tunnelling.where() + " above "
        + first.where();
  }

  /** A RewriteRule that proxies to ws:// (the socket.io-era way), if the host has one. */
  private static String tunnellingRewrite(Host host) {
    for (Directive rule : host.inherited("RewriteRule")) {
      if (rule.arg(1).toLowerCase(Locale.ROOT).startsWith("ws") && Rewrite.flags(rule.arg(2)).contains("P")) {
        return rule.where();
      }
    }
    return null;
  }

  private static void modules(ApacheSetup setup, Backend backend, Route route, List<Finding> findings) {
    if (!setup.modules().known()) {
      return;
    }
    String needed = switch (backend.scheme()) {
      case "ws" -> "proxy_wstunnel_module";
      case "http" -> "proxy_http_module";
      default -> "";
    };
    for (String module : backend.balancer() != null ? List.of("proxy_balancer_module", needed) : List.of(needed)) {
      if (!module.isEmpty() && !setup.modules().has(module)) {
        String mod = module.replace("_module", "");
        findings.add(Finding.at(Severity.ERROR, "proxy-module-missing", route.rule(),
            route.rule().text() + " needs mod_" + mod + ", which is not loaded: Apache answers 500 (no protocol handler)",
            "a2enmod " + mod + " (or LoadModule " + module + " modules/mod_" + mod + ".so) and reload Apache"));
      }
    }
  }

  private static void stickiness(ApacheSetup setup, HubHost hub, Backend backend, Route route, List<Finding> findings) {
    Host.Balancer balancer = backend.balancer();
    if (balancer == null || balancer.members().size() < 2) {
      return;
    }
    String sticky = balancer.params().getOrDefault("stickysession", route.params().get("stickysession"));
    String members = balancer.members().size() + " members";
    if (sticky == null || sticky.isEmpty()) {
      findings.add(Finding.at(Severity.ERROR, "no-stickiness", balancer.where(),
          balancer.name() + " spreads one SockJS session's requests over its " + members + ": xhr-streaming and "
              + "polling clients get 404 for the requests that reach another hub, and fall back or fail",
          STICKY_FIX));
      return;
    }
    List<Host.Member> routeless = balancer.members().stream().filter(m -> !m.params().containsKey("route")).toList();
    if (!routeless.isEmpty()) {
      findings.add(Finding.at(Severity.ERROR, "sticky-without-routes", routeless.get(0).where(),
          balancer.name() + " has stickysession=" + sticky + " but " + routeless.size() + " of its " + members
              + " have no route=, so no cookie can name them", STICKY_FIX));
      return;
    }
    Directive stickyAt = balancer.where();
    for (String cookie : sticky.split("\\|")) {
      if (cookie.equalsIgnoreCase("JSESSIONID")) {
        findings.add(Finding.at(Severity.ERROR, "sticky-jsessionid", stickyAt,
            balancer.name() + " sticks by JSESSIONID, but SockJS sets JSESSIONID=dummy, which names no route: "
                + "requests of one session still spread over the " + members, STICKY_FIX));
        return;
      }
    }
    String name = sticky.split("\\|")[0];
    boolean issued = setup.all("Header").stream().anyMatch(h -> String.join(" ", h.args()).contains(name + "=")
        && String.join(" ", h.args()).toLowerCase(Locale.ROOT).contains("set-cookie"));
    if (!issued) {
      findings.add(Finding.at(Severity.WARNING, "sticky-cookie-not-set", stickyAt,
          balancer.name() + " sticks by the cookie " + name + ", but no Header directive sets it (the hub does not): "
              + "unless the application issues " + name + "=<anything>.<route>, requests spread over the " + members,
          STICKY_FIX));
    }
  }

  private static Directive where(Route route, HubHost hub) {
    return route.rule() != null ? route.rule() : hub.host().section();
  }

  private static String outcome(Route route) {
    return switch (route.kind()) {
      case REDIRECT -> "redirected to " + route.target() + " (" + route.rule().text() + ")";
      case REFUSED -> "refused by " + route.rule().text();
      case LOCAL -> route.rule() == null ? "served by Apache itself (no rule matches)" : "served by Apache itself ("
          + route.rule().text() + ")";
      default -> "proxied";
    };
  }
}
