package dev.baton.modules.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Encodes {@code multipart/form-data} (RFC 7578). The boundary is 32 random hex digits, so it does
 * not occur in the parts by chance. Stateless; thread-safe.
 */
final class Multipart {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Multipart() {}

  /** A fresh random boundary. */
  static String boundary() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "baton-" + HexFormat.of().formatHex(bytes);
  }

  /** The body for {@code parts} delimited by {@code boundary}. */
  static byte[] encode(List<Http.Part> parts, String boundary) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Http.Part part : parts) {
      StringBuilder head = new StringBuilder();
      head.append("--").append(boundary).append("\r\n");
      head.append("Content-Disposition: form-data; name=\"").append(part.name()).append('"');
      if (part.filename() != null) {
        head.append("; filename=\"").append(part.filename()).append('"');
      }
      head.append("\r\n");
      if (part.contentType() != null) {
        head.append("Content-Type: ").append(part.contentType()).append("\r\n");
      }
      head.append("\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(part.content());
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
