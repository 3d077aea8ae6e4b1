package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;
import java.io.IOException;
import java.util.Locale;

/**
 * {@link Streams.Connect} could not open the connection; {@link #kind()} says why and the cause
 * holds the operating system's error. No stream was opened.
 */
public final class StreamConnectException extends ModuleException {
  /** Why the connection was not made. */
  public enum Kind {
    /** Nothing listens on that port (the peer refused the connection). */
    REFUSED,
    /** The connection was not established within the timeout. */
    TIMED_OUT,
    /** The host name could not be resolved. */
    UNKNOWN_HOST,
    /** Any other failure (network unreachable, no route, ...). */
    UNREACHABLE
  }

  private final String host;
  private final int port;
  private final Kind kind;

  /**
   * @param host the host asked for
   * @param port the port asked for
   * @param kind why the connection failed
   * @param cause what the operating system reported
   */
  public StreamConnectException(String host, int port, Kind kind, IOException cause) {
    super(
        "could not connect to "
            + host
            + ":"
            + port
            + " ("
            + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')
            + "): "
            + cause
            + hint(kind),
        cause);
    this.host = host;
    this.port = port;
    this.kind = kind;
  }

  private static String hint(Kind kind) {
    return switch (kind) {
      case REFUSED -> "; is the server running and listening on that port?";
      case TIMED_OUT -> "; is the host reachable, or is a longer timeout needed?";
      case UNKNOWN_HOST -> "; check the host name";
      case UNREACHABLE -> "";
    };
  }

  /** The host asked for. */
  public String host() {
    return host;
  }

  /** The port asked for. */
  public int port() {
    return port;
  }

  /** Why the connection failed. */
  public Kind kind() {
    return kind;
  }
}
