package dev.baton.modules.http;

import static java.util.Objects.requireNonNull;

import dev.baton.modules.ModuleException;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A request got no response: the connection was refused or reset, the name did not resolve, TLS
 * failed, or the request's timeout passed before the response headers arrived ({@link
 * #timedOut()}). An HTTP error status is not this error: it is a {@link Http.Response}. The cause,
 * when there is one, is the {@link java.net.http.HttpClient}'s exception.
 */
public final class HttpRequestFailedException extends ModuleException {
  private final String method;
  private final URI uri;
  private final boolean timedOut;

  /**
   * @param method the request's method
   * @param uri the request's URI (with its query)
   * @param timedOut whether the request's timeout passed
   * @param cause the client's error, if any
   */
  public HttpRequestFailedException(
      String method, URI uri, boolean timedOut, @Nullable Throwable cause) {
    super(
        method
            + " "
            + uri
            + (timedOut ? " timed out" : " failed")
            + (cause == null ? "" : ": " + cause)
            + (timedOut ? " (raise Request.withTimeout if the server is slow)" : ""),
        cause);
    this.method = requireNonNull(method, "method");
    this.uri = requireNonNull(uri, "uri");
    this.timedOut = timedOut;
  }

  /** The request's method. */
  public String method() {
    return method;
  }

  /** The request's URI, with its query. */
  public URI uri() {
    return uri;
  }

  /** Whether the request's timeout (or the client's connect timeout) passed. */
  public boolean timedOut() {
    return timedOut;
  }
}
