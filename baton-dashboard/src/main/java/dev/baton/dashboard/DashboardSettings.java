package dev.baton.dashboard;

import java.net.InetAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a dashboard listens. Immutable; build with {@link #builder()}, which rejects bad values
 * naming them.
 *
 * <p>The default binds 127.0.0.1 and needs no token. Bound to any other address it requires a token
 * (the builder refuses to build without one), which clients send as {@code Authorization: Bearer
 * <token>}; the page asks for it once and keeps it in a cookie for the session.
 *
 * @param bindAddress the address to listen on
 * @param port the port; 0 picks a free one
 * @param token the access token, required unless {@code bindAddress} is a loopback address
 * @param sampleInterval how often the live page's numbers are sampled and pushed
 */
@SuppressWarnings("DoNotCallSuggester") // skeleton until the issue 8 change fills it in
public record DashboardSettings(
    InetAddress bindAddress, int port, @Nullable String token, Duration sampleInterval) {

  /** The default port. */
  public static final int DEFAULT_PORT = 7070;

  public static Builder builder() {
    throw new UnsupportedOperationException("issue 8: implemented by the dashboard change");
  }

  /** Builds {@link DashboardSettings}. */
  public static final class Builder {
    private Builder() {}
  }
}
