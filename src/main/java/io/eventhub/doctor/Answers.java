package io.eventhub.doctor;

import io.eventhub.doctor.Finding.Severity;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;

import java.util.List;

import static io.eventhub.doctor.LiveChecks.APACHE;
import static io.eventhub.doctor.LiveChecks.APACHE_HUB;
import static io.eventhub.doctor.LiveChecks.CLIENT_APACHE;
import static io.eventhub.doctor.LiveChecks.HUB;

/**
 * What a failed live request means, and at which hop: a JSON error body is the hub's own answer
 * (401 session, 403 Origin, 503 draining), an HTML page is Apache's (404 not proxied, 502/503 hub
 * unreachable), the hub's 400 for a missing Upgrade header means Apache dropped it, and no answer at
 * all is the connection or TLS between the client and Apache.
 */
final class Answers {
  /** The hub's answer (transport.WebSocketUpgrade) to a WebSocket request without its Upgrade header. */
  static final String NOT_UPGRADED = "not a WebSocket handshake";

  private final List<Finding> findings;
  private final String base;
  private final String origin;
  private final String cookie;

  Answers(List<Finding> findings, String base, String origin, String cookie) {
    this.findings = findings;
    this.base = base;
    this.origin = origin;
    this.cookie = cookie;
  }

  void webSocketFailed(String url, String what, Throwable e) {
    if (!(e instanceof UpgradeRejectedException rejected)) {
      unreachable(url, e);
      return;
    }
    Buffer body = rejected.getBody() == null ? Buffer.buffer() : rejected.getBody();
    int status = rejected.getStatus();
    if (notUpgraded(e)) {
      findings.add(Finding.live(Severity.ERROR, "live-websocket-not-upgraded", url, APACHE_HUB, what + ": Apache passed "
          + "the request to the hub without its Upgrade header (the hub answered 400 " + NOT_UPGRADED + ")",
          "let Apache tunnel upgrades for " + StaticChecks.BASE + ": upgrade=websocket on each BalancerMember (Apache "
              + "2.4.47+) or a RewriteRule to ws:// (see the static finding websocket-not-upgraded)"));
      return;
    }
    refused(url, "live-websocket", status, rejected.getHeaders(), body, what);
  }

  /** The hub's answer to a request that reached it without its Upgrade header. */
  static boolean notUpgraded(Throwable e) {
    return e instanceof UpgradeRejectedException rejected && rejected.getStatus() == 400 && rejected.getBody() != null
        && rejected.getBody().toString().contains(NOT_UPGRADED);
  }

  /** A non-success answer: which hop gave it, and what it means. */
  void refused(String url, String code, int status, MultiMap headers, Buffer body, String what) {
    String text = body == null ? "" : body.toString().trim();
    boolean fromHub = text.startsWith("{") && text.contains("\"error\"");
    String answer = (fromHub ? "the hub" : "Apache") + " answered " + status + " " + summary(text);
    if (status == 403 && fromHub) {
      findings.add(Finding.live(Severity.ERROR, "live-origin-refused", url, HUB, what + ": " + answer + " for Origin "
          + origin + ": the hub compares the Origin with the Host it gets from Apache", "ProxyPreserveHost On (or list "
          + origin + " in auth.allowedOrigins); see the static finding proxy-preserve-host"));
    } else if (status == 401 && fromHub) {
      findings.add(Finding.live(Severity.ERROR, "live-session-refused", url, HUB, what + ": " + answer + ": the hub does "
          + "not know the session given, or its cookie did not reach it (cookie " + cookie + ")",
          "pass a current session id (log in again); auth.cookie must be the application's session cookie name"));
    } else if (fromHub) {
      findings.add(Finding.live(status >= 500 || status == 429 ? Severity.WARNING : Severity.ERROR, code + "-refused", url, HUB,
          what + ": " + answer, "see the hub's log; 503 means draining or full, 429 too many connections"));
    } else if (status >= 300 && status < 400) {
      findings.add(Finding.live(Severity.ERROR, code + "-redirected", url, APACHE, what + ": " + answer + " to "
          + headers.get("Location"), "use the URL the site is served at (https), and let Apache proxy it there"));
    } else if (status == 502 || status == 503 || status == 504) {
      findings.add(Finding.live(Severity.ERROR, "live-hub-unreachable", url, APACHE_HUB, what + ": " + answer
          + ": Apache cannot reach the hub", "check that the hub runs and listens where BalancerMember/ProxyPass point "
          + "(curl http://HUB/health/ready from the Apache host), and Apache's error log"));
    } else {
      findings.add(Finding.live(Severity.ERROR, "live-not-proxied", url, APACHE, what + ": " + answer
          + (status == 200 ? " (not the hub's answer)" : "") + ": Apache does not pass this path to the hub",
          "proxy " + StaticChecks.BASE + " to the hub (see the static findings)"));
    }
  }

  void unreachable(String url, Throwable e) {
    String message = String.valueOf(e.getMessage());
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    boolean tls = e instanceof javax.net.ssl.SSLException || cause instanceof javax.net.ssl.SSLException
        || cause instanceof java.security.cert.CertificateException || message.contains("PKIX") || message.contains("SSL");
    if (tls) {
      findings.add(Finding.live(Severity.ERROR, "live-tls", url, CLIENT_APACHE, "the TLS handshake with Apache failed: "
          + cause.getMessage(), "a certificate from a private CA: pass --ca FILE; otherwise fix SSLCertificateFile "
          + "(a full chain, server certificate first; see the certificate findings)"));
    } else {
      findings.add(Finding.live(Severity.ERROR, "live-unreachable", url, CLIENT_APACHE, "no answer: " + message,
          "check that Apache listens at " + base + " (and the firewall), or raise --timeout"));
    }
  }

  private static String summary(String body) {
    String text = body.replaceAll("(?s)<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    int title = body.indexOf("<title>");
    if (title >= 0 && body.indexOf("</title>", title) > 0) {
      text = body.substring(title + 7, body.indexOf("</title>", title));
    }
    return text.isEmpty() ? "" : "(" + (text.length() > 120 ? text.substring(0, 120) + "..." : text) + ")";
  }
}
