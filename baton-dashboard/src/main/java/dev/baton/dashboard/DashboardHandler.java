package dev.baton.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.baton.process.Pid;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every request of the dashboard: the page and its files, the JSON API, the live stream and
 * the metrics. Checks, in order: the Host header (403), that no other site's page sent it (403, by
 * {@code Sec-Fetch-Site}), the path (404), the method (405; HEAD goes with GET), the token (401,
 * for the API and metrics), and for a POST its Origin and CSRF token (403). A {@link NodeView} that
 * throws gives 500 with its message (an exception, or an error a broken implementation throws: a
 * missing class, a failed assertion, a stack overflow); a request never takes the server down.
 *
 * <p>Stateless apart from its collaborators; called concurrently from the HTTP threads.
 */
final class DashboardHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);

  /** The largest request body read; larger gets 413. */
  static final int MAX_BODY = 4096;

  /** The largest limit a list returns; larger limits are clamped to it. */
  static final int MAX_LIMIT = 1000;

  private static final String CSP =
      "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final NodeView node;
  private final RequestGuard guard;
  private final LiveFeed feed;
  private final StaticFiles files;

  DashboardHandler(NodeView node, RequestGuard guard, LiveFeed feed, StaticFiles files) {
    this.node = node;
    this.guard = guard;
    this.feed = feed;
    this.files = files;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Headers out = exchange.getResponseHeaders();
    out.set("Content-Security-Policy", CSP);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("X-Frame-Options", "DENY");
    out.set("Cache-Control", "no-store");
    try {
      guard.checkHost(exchange.getRequestHeaders());
      guard.checkFetchSite(exchange.getRequestHeaders(), exchange.getRequestMethod());
      route(exchange, exchange.getRequestURI().getRawPath(), exchange.getRequestMethod());
    } catch (HttpError e) {
      if (exchange.getResponseCode() == -1) {
        String allowed = e.allow();
        if (allowed != null) {
          out.set("Allow", allowed);
        }
        json(exchange, e.status(), Map.of("error", e.getMessage()));
      }
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      LOG.warn(
          "dashboard: {} {} failed",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(),
          e);
      if (exchange.getResponseCode() == -1) {
        json(exchange, 500, Map.of("error", "the node could not answer: " + e));
      }
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange, String path, String method) throws IOException {
    Headers in = exchange.getRequestHeaders();
    switch (path) {
      case "/", "/index.html" -> {
        allow(method, "GET");
        byte[] page = files.page(guard.authorized(in) ? guard.csrf() : "");
        send(exchange, 200, "text/html; charset=utf-8", page);
      }
      case "/app.js", "/style.css" -> {
        allow(method, "GET");
        StaticFiles.File file = files.file(path).orElseThrow(() -> HttpError.notFound(path));
        send(exchange, 200, file.contentType(), file.bytes());
      }
      case "/api/login" -> {
        allow(method, "POST");
        guard.checkOrigin(in);
        login(exchange);
      }
      case "/api/session" -> {
        api(exchange, method, "GET");
        json(exchange, 200, Map.of("node", node.snapshot().node(), "csrf", guard.csrf()));
      }
      case "/api/snapshot" -> {
        api(exchange, method, "GET");
        json(exchange, 200, node.snapshot());
      }
      case "/api/processes" -> {
        api(exchange, method, "GET");
        int limit = limit(exchange, 200);
        json(exchange, 200, node.processes(limit).stream().map(ProcessRow::of).toList());
      }
      case "/api/tasks" -> {
        api(exchange, method, "GET");
        json(exchange, 200, node.recentTasks(limit(exchange, 100)));
      }
      case "/api/queues" -> {
        api(exchange, method, "GET");
        json(exchange, 200, node.queues());
      }
      case "/api/workers" -> {
        api(exchange, method, "GET");
        json(exchange, 200, node.workers());
      }
      case "/api/dead-letters" -> {
        api(exchange, method, "GET");
        int limit = limit(exchange, 100);
        json(exchange, 200, node.deadLetters(limit).stream().map(DeadLetterRow::of).toList());
      }
      case "/api/events" -> {
        api(exchange, method, "GET");
        if (isHead(exchange)) {
          send(exchange, 200, LiveFeed.CONTENT_TYPE, new byte[0]);
        } else {
          feed.serve(exchange);
        }
      }
      case "/metrics" -> {
        api(exchange, method, "GET");
        String text =
            node.prometheusScrape()
                .orElseThrow(
                    () ->
                        new HttpError(
                            404, "this node has no metrics; enable them in its configuration"));
        send(
            exchange,
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            text.getBytes(StandardCharsets.UTF_8));
      }
      default -> action(exchange, path, method);
    }
  }

  /** The POST actions, whose paths carry an id. */
  private void action(HttpExchange exchange, String path, String method) throws IOException {
    Optional<String> processId = between(path, "/api/processes/", "/terminate");
    if (processId.isPresent()) {
      post(exchange, method);
      Pid pid = pid(processId.get());
      json(exchange, 200, Map.of("terminated", node.terminate(pid)));
      return;
    }
    Optional<String> letterId = between(path, "/api/dead-letters/", "/retry");
    if (letterId.isPresent()) {
      post(exchange, method);
      String id = decode(letterId.get());
      if (id.isEmpty() || id.length() > 256) {
        throw HttpError.badRequest("a dead letter's id has 1 to 256 characters");
      }
      json(exchange, 200, Map.of("retried", node.retryDeadLetter(id)));
      return;
    }
    throw HttpError.notFound(path);
  }

  private static Optional<String> between(String path, String prefix, String suffix) {
    if (path.startsWith(prefix)
        && path.endsWith(suffix)
        && path.length() > prefix.length() + suffix.length()) {
      String middle = path.substring(prefix.length(), path.length() - suffix.length());
      if (middle.indexOf('/') < 0) {
        return Optional.of(middle);
      }
    }
    return Optional.empty();
  }

  private static Pid pid(String text) {
    boolean digits =
        !text.isEmpty() && text.length() <= 18 && text.chars().allMatch(Character::isDigit);
    long id = digits ? Long.parseLong(text) : 0;
    if (id < 1) {
      throw HttpError.badRequest(
          "a process id is a positive number (12 for the process <12>), was '" + text + "'");
    }
    return new Pid(id);
  }

  private void api(HttpExchange exchange, String method, String allowed) {
    allow(method, allowed);
    guard.checkToken(exchange.getRequestHeaders());
  }

  private void post(HttpExchange exchange, String method) throws IOException {
    allow(method, "POST");
    Headers in = exchange.getRequestHeaders();
    guard.checkToken(in);
    guard.checkOrigin(in);
    guard.checkCsrf(in);
    var _ = body(exchange);
  }

  /**
   * Throws 405 unless {@code method} is {@code allowed}; a GET resource answers HEAD too (its
   * headers without the body), as HTTP requires.
   */
  private static void allow(String method, String allowed) {
    boolean get = allowed.equals("GET");
    if (!method.equals(allowed) && !(get && method.equals("HEAD"))) {
      throw HttpError.methodNotAllowed(method, get ? "GET, HEAD" : allowed);
    }
  }

  private static boolean isHead(HttpExchange exchange) {
    return exchange.getRequestMethod().equals("HEAD");
  }

  private void login(HttpExchange exchange) throws IOException {
    byte[] body = body(exchange);
    String token = null;
    try {
      JsonNode tree = Json.mapper().readTree(body);
      if (tree != null && tree.path("token").isTextual()) {
        token = tree.path("token").asText();
      }
    } catch (IOException e) {
      throw HttpError.badRequest("the body must be JSON like {\"token\": \"...\"}");
    }
    if (token == null) {
      throw HttpError.badRequest("the body must be JSON like {\"token\": \"...\"}");
    }
    if (!guard.requiresToken()) {
      json(exchange, 200, Map.of("authenticated", true));
      return;
    }
    if (!guard.tokenMatches(token)) {
      throw new HttpError(401, "wrong token: use the value of dashboard.token");
    }
    // The token matched the configured one, whose characters are cookie-safe.
    exchange
        .getResponseHeaders()
        .set(
            "Set-Cookie",
            guard.tokenCookie() + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    json(exchange, 200, Map.of("authenticated", true));
  }

  /** Reads the request body, at most {@link #MAX_BODY} bytes (413 beyond). */
  private static byte[] body(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("Content-Length is not a number");
      }
      if (declared > MAX_BODY) {
        throw new HttpError(413, "the request body may have at most " + MAX_BODY + " bytes");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        throw new HttpError(413, "the request body may have at most " + MAX_BODY + " bytes");
      }
      return body;
    }
  }

  /**
   * The {@code limit} query parameter: {@code fallback} when absent, clamped to {@link #MAX_LIMIT},
   * 400 when not a positive whole number.
   */
  static int limit(HttpExchange exchange, int fallback) {
    String value = queryParameter(exchange.getRequestURI().getRawQuery(), "limit");
    if (value == null) {
      return fallback;
    }
    long limit;
    try {
      limit = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1) {
      throw HttpError.badRequest(
          "limit must be a whole number from 1 (at most "
              + MAX_LIMIT
              + " are returned), was '"
              + value
              + "'");
    }
    return (int) Math.min(limit, MAX_LIMIT);
  }

  static @Nullable String queryParameter(@Nullable String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed %-escape in '" + raw + "'");
    }
  }

  private static void json(HttpExchange exchange, int status, Object value) throws IOException {
    send(exchange, status, "application/json; charset=utf-8", Json.bytes(value));
  }

  /** Sends the response; to a HEAD request, its headers only (with the body's length). */
  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if (isHead(exchange)) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
