package dev.baton.dashboard;

import com.sun.net.httpserver.Headers;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's request checks: the Host header (against DNS rebinding), the access token, the
 * Origin of a POST and its CSRF token. Immutable and thread-safe; each check throws {@link
 * HttpError} with the status to answer.
 *
 * <p>Secrets are compared in constant time over their SHA-256 digests, so neither their content nor
 * their length leaks through timing.
 */
final class RequestGuard {
  /**
   * The start of the name of the cookie the page keeps the token in; the port follows ({@code
   * baton_token_7070}). Browsers keep cookies per host, not per port, so two nodes' dashboards on
   * one host would otherwise overwrite each other's cookie (signing in to one signs out of the
   * other).
   */
  static final String TOKEN_COOKIE_PREFIX = "baton_token_";

  /** The header a POST carries its CSRF token in. */
  static final String CSRF_HEADER = "X-Baton-CSRF";

  private final byte @Nullable [] tokenDigest;
  private final String csrf;
  private final byte[] csrfDigest;
  private final boolean loopback;
  private final Set<String> allowedHosts;
  private volatile int port;

  RequestGuard(DashboardSettings settings) {
    String token = settings.token();
    this.tokenDigest = token == null ? null : digest(token);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    this.csrfDigest = digest(csrf);
    InetAddress bind = settings.bindAddress();
    this.loopback = bind.isLoopbackAddress();
    String literal = bind.getHostAddress();
    if (bind instanceof Inet6Address) {
      int zone = literal.indexOf('%');
      literal = "[" + (zone < 0 ? literal : literal.substring(0, zone)) + "]";
    }
    Set<String> hosts =
        new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]", "[0:0:0:0:0:0:0:1]"));
    hosts.add(literal.toLowerCase(Locale.ROOT));
    this.allowedHosts = Set.copyOf(hosts);
  }

  /** Sets the port the listener got, which a Host header with a port must name. */
  void boundTo(int port) {
    this.port = port;
  }

  /** The name of this dashboard's token cookie. */
  String tokenCookie() {
    return TOKEN_COOKIE_PREFIX + port;
  }

  /** This dashboard's CSRF token: 32 random bytes, base64url. */
  String csrf() {
    return csrf;
  }

  boolean requiresToken() {
    return tokenDigest != null;
  }

  /**
   * Bound to loopback, the Host header must name the bound address, localhost, 127.0.0.1 or [::1]
   * (with this port, if any): a page of another site that re-resolved its name to 127.0.0.1 sends
   * its own name and is refused. Bound elsewhere the token guards every request, so any Host is
   * accepted.
   */
  void checkHost(Headers headers) {
    if (!loopback) {
      return;
    }
    String host = headers.getFirst("Host");
    if (host == null || !hostAllowed(host.trim().toLowerCase(Locale.ROOT))) {
      throw HttpError.forbidden(
          "Host header "
              + (host == null ? "missing" : "'" + host + "'")
              + " is not this dashboard's address; open it as http://127.0.0.1:"
              + port
              + "/ or http://localhost:"
              + port
              + "/");
    }
  }

  private boolean hostAllowed(String host) {
    String name = host;
    int colon = host.lastIndexOf(':');
    if (colon > 0 && colon > host.lastIndexOf(']')) {
      name = host.substring(0, colon);
      String portText = host.substring(colon + 1);
      if (!portText.equals(Integer.toString(port))) {
        return false;
      }
    }
    return allowedHosts.contains(name);
  }

  /**
   * Refuses a request another site's page made the browser send (a fetch, an image, a script, a
   * form post), by the {@code Sec-Fetch-Site} header browsers put on every request: such a page
   * could not read the answer, but it could still hold live streams or load the node. Same-site
   * counts as another site here, since sites ignore ports: any other program on this host is
   * same-site. A top-level navigation (a link to the dashboard) is let through, and a client that
   * sends no such header (curl, {@code baton inspect}, Prometheus) is not concerned.
   */
  void checkFetchSite(Headers headers, String method) {
    String site = headers.getFirst("Sec-Fetch-Site");
    if (site == null) {
      return;
    }
    site = site.trim().toLowerCase(Locale.ROOT);
    if (site.equals("same-origin") || site.equals("none")) {
      return;
    }
    boolean navigation =
        "navigate".equalsIgnoreCase(headers.getFirst("Sec-Fetch-Mode"))
            && (method.equals("GET") || method.equals("HEAD"));
    if (!navigation) {
      throw HttpError.forbidden(
          "a page of another site (Sec-Fetch-Site: "
              + site
              + ") may not use this dashboard; open it directly");
    }
  }

  /** Whether the request carries the token (always true when none is configured). */
  boolean authorized(Headers headers) {
    byte[] expected = tokenDigest;
    if (expected == null) {
      return true;
    }
    String given = bearer(headers);
    if (given == null) {
      given = cookie(headers, tokenCookie());
    }
    return given != null && MessageDigest.isEqual(expected, digest(given));
  }

  /** Throws 401 unless {@link #authorized}. */
  void checkToken(Headers headers) {
    if (!authorized(headers)) {
      throw HttpError.unauthorized();
    }
  }

  /** Whether {@code token} is this dashboard's token (false when none is configured). */
  boolean tokenMatches(String token) {
    byte[] expected = tokenDigest;
    return expected != null && MessageDigest.isEqual(expected, digest(token));
  }

  /**
   * A POST with an Origin header must come from this dashboard's own origin ({@code http://<Host>},
   * or {@code https://<Host>} behind a proxy that ends TLS and passes the Host on); browsers send
   * Origin on every POST, so a page of another origin is refused.
   */
  void checkOrigin(Headers headers) {
    String origin = headers.getFirst("Origin");
    if (origin == null) {
      return;
    }
    String host = headers.getFirst("Host");
    if (host == null
        || !(origin.equalsIgnoreCase("http://" + host.trim())
            || origin.equalsIgnoreCase("https://" + host.trim()))) {
      throw HttpError.forbidden(
          "Origin '" + origin + "' is not this dashboard's; actions are taken from its own page");
    }
  }

  /** A POST must carry this dashboard's CSRF token (from {@code GET /api/session}). */
  void checkCsrf(Headers headers) {
    String given = headers.getFirst(CSRF_HEADER);
    if (given == null || !MessageDigest.isEqual(csrfDigest, digest(given))) {
      throw HttpError.forbidden(
          "missing or wrong "
              + CSRF_HEADER
              + " header: send the csrf value of GET /api/session with every POST");
    }
  }

  private static @Nullable String bearer(Headers headers) {
    String value = headers.getFirst("Authorization");
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return value.substring(7).trim();
  }

  private static @Nullable String cookie(Headers headers, String name) {
    List<String> values = headers.get("Cookie");
    if (values == null) {
      return null;
    }
    for (String header : values) {
      for (String pair : header.split(";", -1)) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
          return pair.substring(eq + 1).trim();
        }
      }
    }
    return null;
  }

  private static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
