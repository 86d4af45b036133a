package io.eventhub.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A virtual host as httpd serves it: its own directives over those of the main server, which it
 * inherits (ProxyPass rules, timeouts, ProxyPreserveHost, balancers). The main server itself is a
 * host when there is no {@code <VirtualHost>}.
 */
final class Host {
  /** A {@code BalancerMember}: its URL and its worker parameters ({@code route}, {@code upgrade}...). */
  record Member(String url, Map<String, String> params, Directive where) {}

  /** A {@code <Proxy balancer://name>} with its members and {@code ProxySet} parameters. */
  record Balancer(String name, Directive where, List<Member> members, Map<String, String> params) {}

  private final Directive section;
  private final List<Directive> main;

  Host(Directive section, List<Directive> main) {
    this.section = section;
    this.main = main;
  }

  /** The {@code <VirtualHost>} line, or null for the main server. */
  Directive section() {
    return section;
  }

  String label() {
    if (section == null) {
      return "main server";
    }
    String name = own("ServerName").stream().reduce((a, b) -> b).map(d -> " (" + d.arg(0) + ")").orElse("");
    return "<VirtualHost " + String.join(" ", section.args()) + ">" + name;
  }

  /** Directives written in this host itself, not in sections below it. */
  List<Directive> own(String name) {
    return section == null ? named(main, name) : named(section.children(), name);
  }

  /** This host's own directives of these kinds (lower-case names), in file order. */
  List<Directive> ownOf(Set<String> names) {
    return (section == null ? main : section.children()).stream()
        .filter(d -> names.contains(d.name().toLowerCase(Locale.ROOT))).toList();
  }

  /** The main server's directives of these kinds, in file order. */
  List<Directive> mainOf(Set<String> names) {
    return main.stream().filter(d -> names.contains(d.name().toLowerCase(Locale.ROOT))).toList();
  }

  /** The main server's, then this host's: the order httpd merges ProxyPass rules in. */
  List<Directive> inherited(String name) {
    List<Directive> all = new ArrayList<>(named(main, name));
    if (section != null) {
      all.addAll(named(section.children(), name));
    }
    return all;
  }

  /** The value in force: this host's last, else the main server's last. */
  Optional<Directive> effective(String name) {
    List<Directive> own = own(name);
    if (!own.isEmpty()) {
      return Optional.of(own.get(own.size() - 1));
    }
    List<Directive> fromMain = named(main, name);
    return fromMain.isEmpty() ? Optional.empty() : Optional.of(fromMain.get(fromMain.size() - 1));
  }

  /** Sections of a kind ({@code Location}, {@code Proxy}...), the main server's first. */
  List<Directive> sections(String name) {
    return inherited(name).stream().filter(Directive::isSection).toList();
  }

  boolean tls() {
    return effective("SSLEngine").map(d -> d.value().equals("on")).orElse(false);
  }

  /** Every balancer this host can use: {@code <Proxy balancer://...>} here or in the main server. */
  Map<String, Balancer> balancers() {
    Map<String, Balancer> balancers = new LinkedHashMap<>();
    for (Directive proxy : sections("Proxy")) {
      String url = proxy.arg(0);
      if (!url.toLowerCase(Locale.ROOT).startsWith("balancer://")) {
        continue;
      }
      String name = stripSlash(url);
      Balancer balancer = balancers.computeIfAbsent(name, n -> new Balancer(n, proxy, new ArrayList<>(), new LinkedHashMap<>()));
      for (Directive child : proxy.children()) {
        if (child.is("BalancerMember") && !child.args().isEmpty()) {
          balancer.members().add(new Member(child.arg(0), params(child.args().subList(1, child.args().size())), child));
        } else if (child.is("ProxySet")) {
          balancer.params().putAll(params(child.args()));
        }
      }
    }
    // ProxySet / BalancerMember outside <Proxy> name their balancer first.
    for (Directive d : inherited("BalancerMember")) {
      Balancer balancer = balancers.get(stripSlash(d.arg(0)));
      if (balancer != null && d.args().size() > 1) {
        balancer.members().add(new Member(d.arg(1), params(d.args().subList(2, d.args().size())), d));
      }
    }
    for (Directive d : inherited("ProxySet")) {
      Balancer balancer = balancers.get(stripSlash(d.arg(0)));
      if (balancer != null) {
        balancer.params().putAll(params(d.args().subList(1, d.args().size())));
      }
    }
    return balancers;
  }

  /** {@code key=value} worker or balancer parameters, keys in lower case. */
  static Map<String, String> params(List<String> words) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        params.put(word.substring(0, eq).toLowerCase(Locale.ROOT), word.substring(eq + 1));
      }
    }
    return params;
  }

  static String stripSlash(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  static List<Directive> named(List<Directive> directives, String name) {
    return directives.stream().filter(d -> d.is(name)).toList();
  }
}
