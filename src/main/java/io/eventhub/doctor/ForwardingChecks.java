package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.eventhub.doctor.Routing.Backend;
import io.eventhub.doctor.Routing.Kind;
import io.eventhub.doctor.Routing.Route;
import io.eventhub.doctor.StaticChecks.HubHost;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Apache does to a hub request on its way: the Host and X-Forwarded-Proto headers the hub's
 * origin check needs, the timeouts that must outlast the hub's heartbeat, and output filters on the
 * SockJS streaming responses.
 */
final class ForwardingChecks {
  /** Content types of SockJS's streaming and polling responses (xhr, eventsource, htmlfile). */
  private static final Set<String> SOCKJS_TYPES = Set.of("application/javascript", "text/event-stream", "text/html");
  private static final Set<String> COMPRESSION = Set.of("deflate", "brotli_compress");
  private static final int DEFAULT_TIMEOUT = 60;

  private ForwardingChecks() {}

  static void check(ApacheSetup setup, HubFacts hub, HubHost hubHost, List<Finding> findings) {
    Host host = hubHost.host();
    preserveHost(host, hub, findings);
    forwardedProto(host, findings);
    timeouts(setup, hub, hubHost, findings);
    filters(setup, host, findings);
  }

  private static void preserveHost(Host host, HubFacts hub, List<Finding> findings) {
    Optional<Directive> preserve = host.effective("ProxyPreserveHost");
    if (preserve.map(d -> d.value().equals("on")).orElse(false)) {
      return;
    }
    Directive at = preserve.orElse(host.section());
    String fix = "ProxyPreserveHost On in " + host.label();
    boolean addHeaders = host.effective("ProxyAddHeaders").map(d -> !d.value().equals("off")).orElse(true);
    String what = host.label() + ": ProxyPreserveHost is " + (preserve.isPresent() ? "Off" : "not set (Off)")
        + ", so the hub sees Host: <hub address> and compares the browser's Origin with it";
    if (!hub.allowedOrigins().isEmpty()) {
      findings.add(Finding.at(Severity.NOTE, "proxy-preserve-host", at,
          what + "; the hub's auth.allowedOrigins " + hub.allowedOrigins() + " decides instead", fix));
    } else if (addHeaders && !hub.trustedProxies().isEmpty()) {
      findings.add(Finding.at(Severity.WARNING, "proxy-preserve-host", at,
          what + "; it works only while http.trustedProxies " + hub.trustedProxies()
              + " lists Apache's address (then the hub believes X-Forwarded-Host)", fix));
    } else {
      findings.add(Finding.at(Severity.ERROR, "proxy-preserve-host", at,
          what + (addHeaders ? " (it believes X-Forwarded-Host only from http.trustedProxies, empty in "
              + hub.source() + ")" : " (ProxyAddHeaders Off: not even X-Forwarded-Host)")
              + ": every browser's WebSocket and SockJS handshake is refused, 403 forbidden", fix));
    }
  }

  private static void forwardedProto(Host host, List<Finding> findings) {
    if (!host.tls()) {
      return;
    }
    for (Directive header : applying(host, "RequestHeader")) {
      List<String> args = header.args();
      int action = args.isEmpty() ? 0 : args.get(0).equalsIgnoreCase("always") || args.get(0).equalsIgnoreCase("onsuccess") ? 1 : 0;
      String verb = action < args.size() ? args.get(action).toLowerCase(Locale.ROOT) : "";
      if (action + 1 < args.size() && args.get(action + 1).equalsIgnoreCase("X-Forwarded-Proto") && !verb.equals("unset")) {
        return;
      }
    }
    findings.add(Finding.at(Severity.WARNING, "forwarded-proto", host.section(),
        host.label() + " terminates TLS but does not tell the hub (no RequestHeader set X-Forwarded-Proto): the hub "
            + "takes its requests for plain http, so what depends on the scheme (the origin the hub expects, "
            + "Secure cookies) goes wrong behind TLS",
        "RequestHeader set X-Forwarded-Proto \"https\" in " + host.label()));
  }

  private static void timeouts(ApacheSetup setup, HubFacts hub, HubHost hubHost, List<Finding> findings) {
    Host host = hubHost.host();
    List<Directive> passes = setup.all("ProxyPass");
    int heartbeat = hub.heartbeatSeconds();
    for (int which : new int[] {HubHost.STREAM, HubHost.SOCKJS}) {
      Route route = hubHost.route(which);
      if (route.kind() != Kind.PROXY) {
        continue;
      }
      Backend backend = Routing.backend(host, route, passes);
      Map.Entry<Integer, Directive> backendTimeout = backendTimeout(host, route, backend);
      Map.Entry<Integer, Directive> limit = backendTimeout;
      if (which == HubHost.SOCKJS) {
        // A tunnel waits for the slower of both sides: max(Timeout, the backend's timeout).
        Map.Entry<Integer, Directive> client = setting(host, "Timeout");
        limit = client.getKey() > backendTimeout.getKey() ? client : backendTimeout;
      }
      int seconds = limit.getKey();
      Directive at = limit.getValue() != null ? limit.getValue() : host.section();
      String source = limit.getValue() != null ? limit.getValue().text() : "httpd's default Timeout of " + DEFAULT_TIMEOUT;
      String what = host.label() + ": " + HubHost.LABELS.get(which) + " is closed after " + seconds + " s without "
          + "traffic (" + source + ")";
      String fix = "Timeout 60 and ProxyTimeout 60 (more than twice the hub's heartbeat, bridge.heartbeatMillis = "
          + hub.heartbeatMillis() + ", plus a margin)";
      if (seconds <= heartbeat) {
        findings.add(Finding.at(Severity.ERROR, "timeout-short", at, what + ", not longer than the hub's heartbeat of "
            + heartbeat + " s: idle connections are cut before the first heartbeat and reconnect over and over", fix));
      } else if (seconds < 2 * heartbeat + 5) {
        findings.add(Finding.at(Severity.WARNING, "timeout-short", at, what + ", less than two heartbeats ("
            + heartbeat + " s each) and a margin: one late heartbeat cuts the connection", fix));
      }
    }
  }

  /** The backend read timeout: the worker's timeout=, else ProxyTimeout, else Timeout. */
  private static Map.Entry<Integer, Directive> backendTimeout(Host host, Route route, Backend backend) {
    if (backend.balancer() != null) {
      for (Host.Member member : backend.balancer().members()) {
        if (member.params().containsKey("timeout")) {
          return Map.entry(seconds(member.params().get("timeout")), member.where());
        }
      }
    } else if (route.params().containsKey("timeout")) {
      return Map.entry(seconds(route.params().get("timeout")), route.rule());
    }
    Optional<Directive> proxyTimeout = host.effective("ProxyTimeout");
    return proxyTimeout.isPresent() ? Map.entry(seconds(proxyTimeout.get().arg(0)), proxyTimeout.get()) : setting(host, "Timeout");
  }

  private static Map.Entry<Integer, Directive> setting(Host host, String name) {
    Optional<Directive> d = host.effective(name);
    return d.isPresent() ? Map.entry(seconds(d.get().arg(0)), d.get()) : new java.util.AbstractMap.SimpleEntry<>(DEFAULT_TIMEOUT, null);
  }

  private static int seconds(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return DEFAULT_TIMEOUT;
    }
  }

  private static void filters(ApacheSetup setup, Host host, List<Finding> findings) {
    Map<String, Directive> external = new HashMap<>();
    for (Directive define : setup.all("ExtFilterDefine")) {
      String mode = define.args().stream().filter(a -> a.toLowerCase(Locale.ROOT).startsWith("mode=")).findFirst().orElse("mode=output");
      if (mode.equalsIgnoreCase("mode=output")) {
        external.put(define.arg(0).toLowerCase(Locale.ROOT), define);
      }
    }
    Map<String, String> providers = new HashMap<>();
    for (Directive provider : setup.all("FilterProvider")) {
      providers.put(provider.arg(0).toLowerCase(Locale.ROOT), provider.arg(1).toLowerCase(Locale.ROOT));
    }
    boolean noGzip = noGzip(host);
    for (Map.Entry<String, Directive> used : outputFilters(host, providers).entrySet()) {
      String filter = used.getKey();
      Directive at = used.getValue();
      if (external.containsKey(filter)) {
        findings.add(Finding.at(Severity.WARNING, "buffering-filter", at, host.label() + ": the output filter " + filter
            + " (mod_ext_filter, " + external.get(filter).where() + ") pipes each response through an external "
            + "command, which holds SockJS's streaming responses back: xhr-streaming and eventsource clients "
            + "see nothing and fall back to polling", "apply " + filter + " outside " + StaticChecks.BASE
            + " only (e.g. in a <Location> for the application's paths)"));
      } else if (COMPRESSION.contains(filter)) {
        if (!noGzip) {
          findings.add(Finding.at(Severity.NOTE, "compression", at, host.label() + ": " + filter.toUpperCase(Locale.ROOT)
              + " compresses SockJS's streaming responses; Apache flushes it with every chunk the hub sends, so "
              + "streaming still works (the live check with --url confirms it), at some CPU per frame",
              "to save it: SetEnvIf Request_URI ^/eventbus no-gzip"));
        }
      } else {
        findings.add(Finding.at(Severity.NOTE, "output-filter", at, host.label() + ": the output filter " + filter
            + " applies to SockJS's streaming responses; a filter that waits for the whole response holds them back",
            "check with --url URL that the first bytes arrive, or apply it outside " + StaticChecks.BASE));
      }
    }
  }

  /** Output filters set for the hub's responses, by lower-case name, with where each is set. */
  private static Map<String, Directive> outputFilters(Host host, Map<String, String> providers) {
    Map<String, Directive> filters = new java.util.LinkedHashMap<>();
    for (Directive d : applying(host, "SetOutputFilter")) {
      for (String f : d.arg(0).split(";")) {
        filters.putIfAbsent(f.trim().toLowerCase(Locale.ROOT), d);
      }
    }
    for (Directive d : applying(host, "AddOutputFilterByType")) {
      boolean sockJsType = d.args().subList(Math.min(1, d.args().size()), d.args().size()).stream()
          .anyMatch(t -> SOCKJS_TYPES.contains(t.toLowerCase(Locale.ROOT)));
      if (sockJsType) {
        for (String f : d.arg(0).split(";")) {
          filters.putIfAbsent(f.trim().toLowerCase(Locale.ROOT), d);
        }
      }
    }
    for (Directive d : applying(host, "FilterChain")) {
      for (String name : d.args()) {
        String n = name.replaceFirst("^[-+=!@]", "").toLowerCase(Locale.ROOT);
        if (providers.containsKey(n)) {
          filters.putIfAbsent(providers.get(n), d);
        }
      }
    }
    filters.remove("");
    return filters;
  }

  private static boolean noGzip(Host host) {
    for (Directive d : applying(host, "SetEnv")) {
      if (d.arg(0).equalsIgnoreCase("no-gzip")) {
        return true;
      }
    }
    List<Directive> conditional = new ArrayList<>(applying(host, "SetEnvIf"));
    conditional.addAll(applying(host, "SetEnvIfNoCase"));
    for (Directive d : conditional) {
      if (d.arg(0).equalsIgnoreCase("Request_URI") && d.args().stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).startsWith("no-gzip"))
          && Rewrite.compile(d.arg(1), d.is("SetEnvIfNoCase")).matcher(StaticChecks.BASE + "/123/x/xhr_streaming").find()) {
        return true;
      }
    }
    return false;
  }

  /** A directive's occurrences that apply to the hub's paths: the host's, and those in Location and Proxy sections for them. */
  static List<Directive> applying(Host host, String name) {
    List<Directive> found = new ArrayList<>(host.inherited(name));
    List<Directive> sections = new ArrayList<>(host.sections("Location"));
    sections.addAll(host.sections("LocationMatch"));
    sections.addAll(host.sections("Proxy"));
    for (Directive section : sections) {
      boolean applies = section.is("Proxy") || covers(section);
      if (applies) {
        found.addAll(Host.named(section.children(), name));
      }
    }
    return found;
  }

  private static boolean covers(Directive location) {
    String path = StaticChecks.BASE + "/123/x/xhr_streaming";
    if (location.is("LocationMatch") || location.arg(0).equals("~")) {
      String regex = location.arg(0).equals("~") ? location.arg(1) : location.arg(0);
      return Rewrite.compile(regex, false).matcher(path).find();
    }
    String base = location.arg(0).endsWith("/") ? location.arg(0).substring(0, location.arg(0).length() - 1) : location.arg(0);
    return base.isEmpty() || path.startsWith(base + "/") || path.equals(base);
  }
}
