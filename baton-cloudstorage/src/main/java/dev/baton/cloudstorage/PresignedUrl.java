package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A URL anyone may use, without credentials, for one operation on one object until it expires.
 * Immutable.
 *
 * @param url the URL
 * @param method the HTTP method it is signed for ({@code GET} or {@code PUT})
 * @param expiresAt when the server stops accepting it
 * @param signedHeaders headers that were signed into it (for a PUT: the content type and length
 *     asked for): a client must send exactly these; the JDK client sets {@code Content-Length}
 *     itself from the body
 */
public record PresignedUrl(
    URI url, String method, Instant expiresAt, Map<String, List<String>> signedHeaders) {
  /** Checks and copies. */
  public PresignedUrl {
    requireNonNull(url, "url");
    requireNonNull(method, "method");
    requireNonNull(expiresAt, "expiresAt");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signedHeaders.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    signedHeaders = java.util.Collections.unmodifiableMap(copy);
  }
}
