package dev.baton.dashboard;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a dashboard listens. Immutable; build with {@link #builder()}. The canonical constructor (and
 * so the builder) rejects bad values with an {@link IllegalArgumentException} naming the setting by
 * its configuration key ({@code dashboard.bind}, {@code dashboard.port}, {@code dashboard.token},
 * {@code dashboard.sampleInterval}).
 *
 * <p>The default binds 127.0.0.1 and needs no token. Bound to any other address it requires a token
 * (the builder refuses to build without one), which clients send as {@code Authorization: Bearer
 * <token>}; the page asks for it once and keeps it in an HttpOnly cookie for the session. A token
 * has at least {@value #MIN_TOKEN_LENGTH} characters from {@code A-Z a-z 0-9 . _ ~ + / = -}, so it
 * can travel in a header and a cookie unchanged.
 *
 * @param bindAddress the address to listen on
 * @param port the port; 0 picks a free one
 * @param token the access token, required unless {@code bindAddress} is a loopback address
 * @param sampleInterval how often the live page's numbers are sampled and pushed
 */
public record DashboardSettings(
    InetAddress bindAddress, int port, @Nullable String token, Duration sampleInterval) {

  /** The default port. */
  public static final int DEFAULT_PORT = 7070;

  /** The default sample interval. */
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(1);

  /** The shortest sample interval accepted. */
  public static final Duration MIN_SAMPLE_INTERVAL = Duration.ofMillis(50);

  /** The longest sample interval accepted. */
  public static final Duration MAX_SAMPLE_INTERVAL = Duration.ofMinutes(1);

  /** The fewest characters a token may have. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** The most characters a token may have. */
  public static final int MAX_TOKEN_LENGTH = 512;

  /**
   * Validates every setting.
   *
   * @throws IllegalArgumentException naming the setting and what to change
   */
  public DashboardSettings {
    requireNonNull(bindAddress, "dashboard.bind");
    requireNonNull(sampleInterval, "dashboard.sampleInterval");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "dashboard.port must be from 0 (pick a free port) to 65535, was " + port);
    }
    if (token != null) {
      checkToken(token);
    } else if (!bindAddress.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the dashboard is bound to "
              + bindAddress.getHostAddress()
              + ", which is not a loopback address, so anyone who can reach it could act on the"
              + " node: set dashboard.token to a secret of at least "
              + MIN_TOKEN_LENGTH
              + " characters, or bind 127.0.0.1");
    }
    if (sampleInterval.compareTo(MIN_SAMPLE_INTERVAL) < 0
        || sampleInterval.compareTo(MAX_SAMPLE_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "dashboard.sampleInterval must be from "
              + MIN_SAMPLE_INTERVAL
              + " to "
              + MAX_SAMPLE_INTERVAL
              + ", was "
              + sampleInterval);
    }
  }

  /** A builder with the defaults: 127.0.0.1, port {@value #DEFAULT_PORT}, no token, 1 s. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether requests must carry the token. */
  public boolean requiresToken() {
    return token != null;
  }

  @Override
  public String toString() {
    // The token is a secret: never in logs.
    return "DashboardSettings[bindAddress="
        + bindAddress.getHostAddress()
        + ", port="
        + port
        + ", token="
        + (token == null ? "none" : "(set)")
        + ", sampleInterval="
        + sampleInterval
        + "]";
  }

  /**
   * Checks a token against the rules the settings enforce, so configuration layers can reject a bad
   * one when they read it instead of when the dashboard starts.
   *
   * @throws IllegalArgumentException naming {@code dashboard.token} and what is wrong
   */
  public static void checkToken(String token) {
    if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "dashboard.token must have from "
              + MIN_TOKEN_LENGTH
              + " to "
              + MAX_TOKEN_LENGTH
              + " characters, had "
              + token.length()
              + "; generate one, for example with: openssl rand -base64 24");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || ".-_~+/=".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException(
            "dashboard.token may hold only A-Z a-z 0-9 . _ ~ + / = - (it travels in a header and"
                + " a cookie); character "
                + (i + 1)
                + " is not one of them");
      }
    }
  }

  /** Builds {@link DashboardSettings}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port = DEFAULT_PORT;
    private @Nullable String token;
    private Duration sampleInterval = DEFAULT_SAMPLE_INTERVAL;

    private Builder() {}

    /** The address to listen on; default 127.0.0.1 (the loopback address). */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = requireNonNull(bindAddress, "dashboard.bind");
      return this;
    }

    /** The port; 0 picks a free one. Default {@value DashboardSettings#DEFAULT_PORT}. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The access token, or {@code null} for none (loopback only). Default none. */
    public Builder token(@Nullable String token) {
      this.token = token;
      return this;
    }

    /** How often the live numbers are sampled. Default 1 s. */
    public Builder sampleInterval(Duration sampleInterval) {
      this.sampleInterval = requireNonNull(sampleInterval, "dashboard.sampleInterval");
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public DashboardSettings build() {
      return new DashboardSettings(bindAddress, port, token, sampleInterval);
    }
  }
}
