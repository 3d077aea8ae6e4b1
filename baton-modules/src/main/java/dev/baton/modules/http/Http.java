package dev.baton.modules.http;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.modules.stream.Streams;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The http module's commands and their results. Every record is immutable (arrays are copied in and
 * out) and thread-safe.
 *
 * <p>HTTP status is data: a 404 or 500 completes {@link Request} with a {@link Response}, as in the
 * seed; only a request that got no response fails, with {@link HttpRequestFailedException}, and a
 * body over the limit fails with {@link ResponseTooLargeException}.
 */
public final class Http {
  /** {@link Request}'s id. */
  public static final CommandId REQUEST = CommandId.of(60);

  /** {@link RequestBatch}'s id. */
  public static final CommandId REQUEST_BATCH = CommandId.of(61);

  /** The default response-body limit: 16 MiB. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  /** The default timeout: 30 seconds until the response headers arrive. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private Http() {}

  /** A request body. */
  public sealed interface Body {}

  /** No body. */
  public record NoBody() implements Body {}

  /**
   * Raw bytes, sent with {@code contentType} if it is not null.
   *
   * @param bytes the body (copied)
   * @param contentType the Content-Type header to send, or null
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out, never shared
  public record BytesBody(byte[] bytes, @Nullable String contentType) implements Body {
    /** Validates and copies. */
    public BytesBody {
      bytes = requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * The content of a file, streamed from disk as it is sent (never loaded into memory), with a
   * Content-Length of the file's size, sent with {@code contentType} if it is not null. A file that
   * cannot be read fails the request with {@link HttpRequestFailedException} before anything is
   * sent.
   *
   * @param file the file
   * @param contentType the Content-Type header to send, or null
   */
  public record FileBody(Path file, @Nullable String contentType) implements Body {
    /** Validates. */
    public FileBody {
      requireNonNull(file, "file");
    }
  }

  /**
   * The rest of a readable stream the caller owns (a file, a program's stdout, a socket, another
   * response's body), sent as it is read (chunked: no Content-Length), with {@code contentType} if
   * it is not null. The stream is read through the stream module, after the commands queued on it
   * before, and stays the caller's: the request reads it to its end, and the caller closes it when
   * it likes. A read error of the stream (or its Close) fails the request with {@link
   * HttpRequestFailedException} (cause: the stream's error) and the body is never sent as complete
   * (the connection is dropped before the last chunk). The body is sent once: a redirect or retry
   * that would resend it (307, 308) fails the request with {@link HttpRequestFailedException},
   * instead of sending what is left of the stream. When the request ends (a response, an error, its
   * deadline), a read of the stream still waiting is given up and its bytes go to the caller's next
   * Read. Not allowed in a {@link RequestBatch}. Needs the http module booted with {@link
   * HttpModule#withStreams()}.
   *
   * @param stream the stream to send
   * @param contentType the Content-Type header to send, or null
   */
  public record StreamBody(Streams.StreamId stream, @Nullable String contentType) implements Body {
    /** Validates. */
    public StreamBody {
      requireNonNull(stream, "stream");
    }
  }

  /**
   * An {@code application/x-www-form-urlencoded} form (UTF-8), fields in order.
   *
   * @param fields the fields; a name may have several values
   */
  public record FormBody(Map<String, List<String>> fields) implements Body {
    /** Validates and copies. */
    public FormBody {
      fields = copyMulti(fields, "fields");
    }
  }

  /**
   * A {@code multipart/form-data} body with a random boundary.
   *
   * @param parts the parts, in order; at least one
   */
  public record MultipartBody(List<Part> parts) implements Body {
    /** Validates and copies. */
    public MultipartBody {
      parts = List.copyOf(requireNonNull(parts, "parts"));
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("parts must not be empty");
      }
    }
  }

  /**
   * One part of a {@link MultipartBody}: a text field ({@link #field}) or a file ({@link #file}).
   *
   * @param name the form field's name
   * @param filename the file's name, or null for a plain field
   * @param contentType the part's Content-Type, or null (a field; text/plain)
   * @param content the part's bytes (copied)
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out, never shared
  public record Part(
      String name, @Nullable String filename, @Nullable String contentType, byte[] content) {
    /** Validates and copies; names must not contain CR, LF or double quotes. */
    public Part {
      requireHeaderSafe(requireNonNull(name, "name"), "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      if (filename != null) {
        requireHeaderSafe(filename, "filename");
      }
      if (contentType != null) {
        requireHeaderSafe(contentType, "contentType");
      }
      content = requireNonNull(content, "content").clone();
    }

    /** A text field (UTF-8). */
    public static Part field(String name, String value) {
      return new Part(
          name, null, null, requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** A file part. */
    public static Part file(String name, String filename, String contentType, byte[] content) {
      return new Part(
          name,
          requireNonNull(filename, "filename"),
          requireNonNull(contentType, "contentType"),
          content);
    }

    @Override
    public byte[] content() {
      return content.clone();
    }
  }

  /**
   * Sends one HTTP request and completes with its {@link Response}, whatever the status.
   *
   * <p>Errors: {@link HttpRequestFailedException} when no response came (refused, reset, TLS,
   * {@link HttpRequestFailedException#timedOut() timeout}); {@link ResponseTooLargeException} when
   * the body passed {@code maxResponseBytes}; {@link IllegalArgumentException} for a header the JDK
   * client sets itself (Host, Content-Length, Connection...); {@link IllegalStateException} for a
   * streamed body on a module booted without the stream table. Use the factories ({@link #get},
   * {@link #post}, {@link #of}) and the {@code with...} methods.
   *
   * @param method the method, upper case (GET, POST, PUT, DELETE, HEAD, PATCH, OPTIONS...)
   * @param uri an absolute http or https URI; its query is kept, {@code query} is appended
   * @param headers headers to send; a name may have several values
   * @param query query parameters, percent-encoded (UTF-8) and appended in order
   * @param body the body; GET and HEAD take none
   * @param timeout how long to wait for the response headers (positive)
   * @param maxResponseBytes the body limit (positive); not applied to a streamed body
   * @param followRedirects whether 3xx responses are followed (not from https to http)
   * @param streamBody whether the response body comes as a stream ({@link Response#bodyStream()})
   *     instead of bytes; see {@link #withStreamBody()}
   */
  public record Request(
      String method,
      URI uri,
      Map<String, List<String>> headers,
      Map<String, List<String>> query,
      Body body,
      Duration timeout,
      long maxResponseBytes,
      boolean followRedirects,
      boolean streamBody)
      implements Command<Response> {

    /** Validates and copies. */
    public Request {
      requireNonNull(method, "method");
      if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new IllegalArgumentException("method must be an upper-case token, got: " + method);
      }
      requireNonNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("uri must be http or https, got: " + uri);
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("uri must have a host, got: " + uri);
      }
      headers = copyMulti(headers, "headers");
      for (String name : headers.keySet()) {
        if (name.isBlank()) {
          throw new IllegalArgumentException("header names must not be blank");
        }
      }
      query = copyMulti(query, "query");
      requireNonNull(body, "body");
      if ((method.equals("GET") || method.equals("HEAD")) && !(body instanceof NoBody)) {
        throw new IllegalArgumentException(
            method + " takes no body; use POST/PUT, or Request.of(\"" + method + "\", ...)");
      }
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got: " + timeout);
      }
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be positive, got: " + maxResponseBytes);
      }
    }

    /** A request whose body is read into memory. */
    public Request(
        String method,
        URI uri,
        Map<String, List<String>> headers,
        Map<String, List<String>> query,
        Body body,
        Duration timeout,
        long maxResponseBytes,
        boolean followRedirects) {
      this(method, uri, headers, query, body, timeout, maxResponseBytes, followRedirects, false);
    }

    /** A request with no body, no headers and the defaults. */
    public static Request of(String method, URI uri) {
      return new Request(
          method,
          uri,
          Map.of(),
          Map.of(),
          new NoBody(),
          DEFAULT_TIMEOUT,
          DEFAULT_MAX_RESPONSE_BYTES,
          true);
    }

    /** A GET. */
    public static Request get(URI uri) {
      return of("GET", uri);
    }

    /** A POST of {@code body} (UTF-8 text/plain). */
    public static Request post(URI uri, String body) {
      return of("POST", uri)
          .withBody(
              new BytesBody(
                  requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8),
                  "text/plain; charset=utf-8"));
    }

    /** A POST of {@code body} with {@code contentType}. */
    public static Request post(URI uri, byte[] body, String contentType) {
      return of("POST", uri).withBody(new BytesBody(body, contentType));
    }

    /** A POST of a url-encoded form. */
    public static Request postForm(URI uri, Map<String, List<String>> fields) {
      return of("POST", uri).withBody(new FormBody(fields));
    }

    /** A POST of a multipart form. */
    public static Request postMultipart(URI uri, List<Part> parts) {
      return of("POST", uri).withBody(new MultipartBody(parts));
    }

    /** This request with one more value for header {@code name}. */
    public Request withHeader(String name, String value) {
      return new Request(
          method,
          uri,
          adding(headers, name, value),
          query,
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /** This request with one more query parameter. */
    public Request withQuery(String name, String value) {
      return new Request(
          method,
          uri,
          headers,
          adding(query, name, value),
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /** This request with {@code body}. */
    public Request withBody(Body body) {
      return new Request(
          method,
          uri,
          headers,
          query,
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /** This request with {@code timeout}. */
    public Request withTimeout(Duration timeout) {
      return new Request(
          method,
          uri,
          headers,
          query,
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /** This request with {@code maxResponseBytes}. */
    public Request withMaxResponseBytes(long maxResponseBytes) {
      return new Request(
          method,
          uri,
          headers,
          query,
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /** This request, following redirects or not. */
    public Request withFollowRedirects(boolean followRedirects) {
      return new Request(
          method,
          uri,
          headers,
          query,
          body,
          timeout,
          maxResponseBytes,
          followRedirects,
          streamBody);
    }

    /**
     * This request with its response body as a stream: the command completes once the headers
     * arrived, with a {@link Response} whose {@link Response#bodyStream()} is a readable stream of
     * the stream module (Read, ScannerCreate/ScannerScan, Stat, Close), owned by the caller and
     * closed when it ends, and whose {@link Response#body()} is empty. {@code maxResponseBytes}
     * does not apply: the reader decides how much to read. Closing the stream before its end aborts
     * the exchange (the connection is closed, not reused); reading it to its end completes the
     * exchange. Needs the http module booted with {@link HttpModule#withStreams()}; not allowed in
     * a {@link RequestBatch}.
     */
    public Request withStreamBody() {
      return new Request(
          method, uri, headers, query, body, timeout, maxResponseBytes, followRedirects, true);
    }

    /** The URI actually requested: {@link #uri()} with {@link #query()} appended, encoded. */
    public URI effectiveUri() {
      if (query.isEmpty()) {
        return uri;
      }
      String extra = encodeForm(query, true);
      String raw = uri.toString();
      int hash = raw.indexOf('#');
      if (hash >= 0) {
        raw = raw.substring(0, hash); // fragments are never sent
      }
      return URI.create(raw + (uri.getRawQuery() == null ? "?" : "&") + extra);
    }

    @Override
    public CommandId commandId() {
      return REQUEST;
    }
  }

  /**
   * Sends every request concurrently and completes, once all are done, with one {@link Outcome} per
   * request in the same order; one failure does not lose the others. An empty batch completes at
   * once. A request {@link Request#withStreamBody() with a streamed response body} or with a {@link
   * StreamBody} is refused ({@link IllegalArgumentException}): send it alone.
   *
   * @param requests the requests
   */
  public record RequestBatch(List<Request> requests) implements Command<List<Outcome>> {
    /** Validates and copies. */
    public RequestBatch {
      requests = List.copyOf(requireNonNull(requests, "requests"));
      for (int i = 0; i < requests.size(); i++) {
        if (requests.get(i).streamBody()) {
          throw new IllegalArgumentException(
              "requests[" + i + "] streams its body, which a batch does not: send it alone");
        }
        if (requests.get(i).body() instanceof StreamBody) {
          throw new IllegalArgumentException(
              "requests["
                  + i
                  + "] sends a StreamBody, which a batch does not (its requests run"
                  + " at once and would share the stream's bytes): send it alone");
        }
      }
    }

    @Override
    public CommandId commandId() {
      return REQUEST_BATCH;
    }
  }

  /**
   * One request's result in a {@link RequestBatch}: exactly one of the two is set.
   *
   * @param response the response, if one came
   * @param error why there is none ({@link HttpRequestFailedException} or {@link
   *     ResponseTooLargeException})
   */
  public record Outcome(@Nullable Response response, @Nullable Exception error) {
    /** Validates that exactly one is set. */
    public Outcome {
      if ((response == null) == (error == null)) {
        throw new IllegalArgumentException("exactly one of response and error must be set");
      }
    }

    /** Whether a response came (whatever its status). */
    public boolean succeeded() {
      return response != null;
    }
  }

  /**
   * A response, whatever its status.
   *
   * @param status the status code
   * @param headers the headers, names case-insensitive
   * @param body the body (copied)
   * @param finalUri the URI that answered (after redirects)
   * @param bodyStream the body as a stream owned by the caller, for a request {@link
   *     Request#withStreamBody() with a streamed body} (then {@code body} is empty); null otherwise
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out, never shared
  public record Response(
      int status,
      Map<String, List<String>> headers,
      byte[] body,
      URI finalUri,
      Streams.@Nullable StreamId bodyStream) {
    /** Validates and copies. */
    public Response {
      TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      requireNonNull(headers, "headers").forEach((k, v) -> copy.put(k, List.copyOf(v)));
      headers = Collections.unmodifiableMap(copy);
      body = requireNonNull(body, "body").clone();
      requireNonNull(finalUri, "finalUri");
    }

    /** A response whose body was read into memory. */
    public Response(int status, Map<String, List<String>> headers, byte[] body, URI finalUri) {
      this(status, headers, body, finalUri, null);
    }

    /**
     * The body's stream, for a request with a streamed body.
     *
     * @throws IllegalStateException if the body was read into memory
     */
    public Streams.StreamId streamedBody() {
      if (bodyStream == null) {
        throw new IllegalStateException(
            "the body was read into memory (body()); ask for a stream with withStreamBody()");
      }
      return bodyStream;
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
      return status >= 200 && status < 300;
    }
  }

  static String encodeForm(Map<String, List<String>> fields, boolean percentSpaces) {
    StringBuilder out = new StringBuilder();
    fields.forEach(
        (name, values) -> {
          for (String value : values) {
            if (!out.isEmpty()) {
              out.append('&');
            }
            out.append(encode(name, percentSpaces))
                .append('=')
                .append(encode(value, percentSpaces));
          }
        });
    return out.toString();
  }

  private static String encode(String s, boolean percentSpaces) {
    String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8);
    return percentSpaces ? encoded.replace("+", "%20") : encoded;
  }

  private static Map<String, List<String>> copyMulti(Map<String, List<String>> map, String field) {
    requireNonNull(map, field);
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> copy.put(requireNonNull(k, field + " name"), List.copyOf(requireNonNull(v, k))));
    return Collections.unmodifiableMap(copy);
  }

  private static Map<String, List<String>> adding(
      Map<String, List<String>> map, String name, String value) {
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>(map);
    List<String> values = new ArrayList<>(copy.getOrDefault(name, List.of()));
    values.add(requireNonNull(value, "value"));
    copy.put(requireNonNull(name, "name"), values);
    return copy;
  }

  private static void requireHeaderSafe(String s, String field) {
    if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('"') >= 0) {
      throw new IllegalArgumentException(field + " must not contain CR, LF or '\"': " + s);
    }
  }
}
