package dev.baton.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The page's files, read once from the jar's resources ({@code dev/baton/dashboard/web/}). The
 * page's HTML is a template with one placeholder, {@value #CSRF_PLACEHOLDER}, filled per request.
 * Immutable and thread-safe.
 */
final class StaticFiles {
  static final String CSRF_PLACEHOLDER = "{{csrf}}";

  /** One file: its bytes and content type. */
  @SuppressWarnings("ArrayRecordComponent") // served as is, never compared
  record File(byte[] bytes, String contentType) {}

  private final String page;
  private final Map<String, File> files;

  StaticFiles() {
    this.page = new String(read("index.html"), StandardCharsets.UTF_8);
    this.files =
        Map.of(
            "/app.js", new File(read("app.js"), "text/javascript; charset=utf-8"),
            "/style.css", new File(read("style.css"), "text/css; charset=utf-8"));
  }

  /** The page with {@code csrf} filled in (empty when the request may not have it). */
  byte[] page(String csrf) {
    return page.replace(CSRF_PLACEHOLDER, csrf).getBytes(StandardCharsets.UTF_8);
  }

  /** The file served at {@code path}, if any. */
  Optional<File> file(String path) {
    return Optional.ofNullable(files.get(path));
  }

  private static byte[] read(String name) {
    try (InputStream in = StaticFiles.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "the dashboard's resource web/" + name + " is missing from its jar; rebuild it");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard's resource web/" + name, e);
    }
  }
}
