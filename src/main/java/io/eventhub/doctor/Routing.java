package io.eventhub.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Where httpd sends a request, worked out from the configuration alone: mod_rewrite's rules first
 * (a {@code [P]} rule wins over every ProxyPass), then a {@code ProxyPass} inside the last matching
 * {@code <Location>}, then the server's {@code ProxyPass}/{@code ProxyPassMatch} lines in order, the
 * first match winning. Then which backend that is and whether it carries a WebSocket upgrade.
 */
final class Routing {
  enum Kind { PROXY, LOCAL, REDIRECT, REFUSED }

  /** The parts of a request that rules about /eventbus look at. */
  record Request(String method, String path, boolean upgrade, boolean tls, String host) {}

  /** Where a request goes, the directive that sent it there, and that ProxyPass line's worker parameters. */
  record Route(Kind kind, String target, Directive rule, Map<String, String> params) {}

  /**
   * The backend of a proxied request: its scheme ({@code ws}, {@code http}, {@code balancer}), whether
   * an upgrade reaches it, the directive that decides that, and the balancer if there is one.
   */
  record Backend(String scheme, boolean upgrades, Directive decidedBy, Host.Balancer balancer) {}

  private static final Set<String> LOCATIONS = Set.of("location", "locationmatch");
  private static final Set<String> PROXY_PASS = Set.of("proxypass", "proxypassmatch");

  private Routing() {}

  static Route route(Host host, Request request, Set<Directive> skip) {
    Rewrite.Outcome rewritten = Rewrite.apply(host, request, skip);
    if (rewritten.kind() != null) {
      return new Route(rewritten.kind(), rewritten.target(), rewritten.rule(), Map.of());
    }
    String path = rewritten.path();
    Route byLocation = null;
    List<Directive> locations = new ArrayList<>(host.mainOf(LOCATIONS));
    if (host.section() != null) {
      locations.addAll(host.ownOf(LOCATIONS));
    }
    for (Directive location : locations) {
      String prefix = locationPrefix(location, path);
      if (prefix == null) {
        continue;
      }
      for (Directive pass : location.children()) {
        if (!pass.is("ProxyPass") || skip.contains(pass) || pass.args().isEmpty()) {
          continue;
        }
        byLocation = pass.arg(0).equals("!") ? new Route(Kind.LOCAL, null, pass, Map.of())
            : new Route(Kind.PROXY, pass.arg(0) + path.substring(Math.min(prefix.length(), path.length())), pass,
                Host.params(pass.args().subList(1, pass.args().size())));
      }
    }
    if (byLocation != null) {
      return byLocation;
    }
    // A virtual host takes the main server's ProxyPass lines first, unless ProxyPassInherit Off.
    boolean inherit = host.section() == null
        || !host.effective("ProxyPassInherit").map(d -> d.value().equals("off")).orElse(false);
    List<Directive> passes = new ArrayList<>(inherit ? host.mainOf(PROXY_PASS) : List.of());
    if (host.section() != null) {
      passes.addAll(host.ownOf(PROXY_PASS));
    }
    for (Directive pass : passes) {
      if (skip.contains(pass) || pass.args().size() < 2) {
        continue;
      }
      String target = pass.arg(1);
      Map<String, String> params = Host.params(pass.args().subList(2, pass.args().size()));
      if (pass.is("ProxyPass")) {
        if (path.startsWith(pass.arg(0))) {
          return target.equals("!") ? new Route(Kind.LOCAL, null, pass, Map.of())
              : new Route(Kind.PROXY, target + path.substring(pass.arg(0).length()), pass, params);
        }
        continue;
      }
      Matcher m = Rewrite.compile(pass.arg(0), false).matcher(path);
      if (m.find()) {
        if (target.equals("!")) {
          return new Route(Kind.LOCAL, null, pass, Map.of());
        }
        StringBuilder expanded = new StringBuilder();
        Matcher ref = java.util.regex.Pattern.compile("\\$(\\d)").matcher(target);
        while (ref.find()) {
          int group = Integer.parseInt(ref.group(1));
          ref.appendReplacement(expanded, Matcher.quoteReplacement(group <= m.groupCount() && m.group(group) != null ? m.group(group) : ""));
        }
        ref.appendTail(expanded);
        return new Route(Kind.PROXY, expanded.toString(), pass, params);
      }
    }
    return new Route(Kind.LOCAL, null, null, Map.of());
  }

  /** The part of the path a Location covers ({@code /eventbus} covers /eventbus and /eventbus/...), or null. */
  private static String locationPrefix(Directive location, String path) {
    boolean regex = location.is("LocationMatch") || location.arg(0).equals("~");
    String pattern = location.arg(0).equals("~") ? location.arg(1) : location.arg(0);
    if (regex) {
      Matcher m = Rewrite.compile(pattern, false).matcher(path);
      return m.find() ? "" : null;
    }
    String base = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
    return path.equals(base) || path.startsWith(base + "/") ? base : null;
  }

  /** The backend behind a route's target, and whether a WebSocket upgrade gets through to it. */
  static Backend backend(Host host, Route route, List<Directive> allProxyPasses) {
    String target = route.target().toLowerCase(Locale.ROOT);
    String scheme = target.contains("://") ? target.substring(0, target.indexOf("://")) : "";
    switch (scheme) {
      case "ws", "wss" -> {
        return new Backend("ws", true, route.rule(), null);
      }
      case "balancer" -> {
        String name = "balancer://" + target.substring("balancer://".length()).split("/", 2)[0];
        Host.Balancer balancer = host.balancers().get(name);
        if (balancer == null || balancer.members().isEmpty()) {
          return new Backend("balancer", false, route.rule(), balancer);
        }
        boolean all = balancer.members().stream().allMatch(Routing::memberUpgrades);
        Directive decidedBy = balancer.members().stream().filter(m -> !memberUpgrades(m)).findFirst()
            .map(Host.Member::where).orElse(balancer.where());
        return new Backend(memberScheme(balancer), all, decidedBy, balancer);
      }
      default -> {
        Map<String, String> params = route.params();
        Directive decidedBy = route.rule();
        if (!route.rule().is("ProxyPass") && !route.rule().is("ProxyPassMatch")) {
          // A RewriteRule [P] uses the worker whose URL is the longest prefix of its target.
          String best = "";
          for (Directive pass : allProxyPasses) {
            int at = pass.arg(0).startsWith("/") || pass.is("ProxyPassMatch") ? 1 : 0;
            String url = pass.arg(at).toLowerCase(Locale.ROOT);
            if (!url.isEmpty() && !url.equals("!") && target.startsWith(url) && url.length() > best.length()) {
              best = url;
              params = Host.params(pass.args().subList(at + 1, pass.args().size()));
              decidedBy = pass;
            }
          }
        }
        return new Backend("http", upgradeParameter(params), decidedBy, null);
      }
    }
  }

  private static String memberScheme(Host.Balancer balancer) {
    String url = balancer.members().get(0).url().toLowerCase(Locale.ROOT);
    return url.startsWith("ws") ? "ws" : "http";
  }

  static boolean memberUpgrades(Host.Member member) {
    String url = member.url().toLowerCase(Locale.ROOT);
    return url.startsWith("ws://") || url.startsWith("wss://") || upgradeParameter(member.params());
  }

  /** {@code upgrade=websocket} (or ANY / NONE, which tunnel any protocol) on a worker. */
  static boolean upgradeParameter(Map<String, String> params) {
    String upgrade = params.getOrDefault("upgrade", "").toLowerCase(Locale.ROOT);
    return upgrade.contains("websocket") || upgrade.equals("any") || upgrade.equals("none") || upgrade.equals("*");
  }
}
