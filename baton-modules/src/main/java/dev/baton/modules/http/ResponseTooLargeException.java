package dev.baton.modules.http;

import static java.util.Objects.requireNonNull;

import dev.baton.modules.ModuleException;
import java.net.URI;

/**
 * The response body was larger than the request's {@link Http.Request#maxResponseBytes()}. It is
 * detected while the body arrives (or from its Content-Length): reading stops at the limit and the
 * rest of the body is discarded, so a huge response never fills memory. Raise the limit with {@link
 * Http.Request#withMaxResponseBytes(long)} if the body is expected.
 */
public final class ResponseTooLargeException extends ModuleException {
  private final String method;
  private final URI uri;
  private final long limit;

  /**
   * @param method the request's method
   * @param uri the request's URI
   * @param limit the limit the body passed, in bytes
   */
  public ResponseTooLargeException(String method, URI uri, long limit) {
    super(
        "the response to "
            + method
            + " "
            + uri
            + " is larger than "
            + limit
            + " bytes; raise Request.withMaxResponseBytes if it is expected");
    this.method = requireNonNull(method, "method");
    this.uri = requireNonNull(uri, "uri");
    this.limit = limit;
  }

  /** The request's method. */
  public String method() {
    return method;
  }

  /** The request's URI. */
  public URI uri() {
    return uri;
  }

  /** The limit the body passed, in bytes. */
  public long limit() {
    return limit;
  }
}
