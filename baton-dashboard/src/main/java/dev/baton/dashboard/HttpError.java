package dev.baton.dashboard;

import org.jspecify.annotations.Nullable;

/**
 * A request the dashboard refuses, with the HTTP status and the message sent as {@code {"error":
 * ...}}. Thrown inside request handling only; never escapes the dashboard.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String allow;

  HttpError(int status, String message) {
    this(status, message, null);
  }

  private HttpError(int status, String message, @Nullable String allow) {
    super(message, null, false, false);
    this.status = status;
    this.allow = allow;
  }

  int status() {
    return status;
  }

  /** The method allowed, for a 405's Allow header. */
  @Nullable String allow() {
    return allow;
  }

  static HttpError methodNotAllowed(String method, String allowed) {
    return new HttpError(405, method + " is not allowed here; use " + allowed, allowed);
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError unauthorized() {
    return new HttpError(
        401,
        "this dashboard needs its access token: send Authorization: Bearer <token> (the value of"
            + " dashboard.token) or sign in on the page");
  }

  static HttpError forbidden(String message) {
    return new HttpError(403, message);
  }

  static HttpError notFound(String path) {
    return new HttpError(404, "no such endpoint: " + path);
  }
}
