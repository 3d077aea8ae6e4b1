package dev.baton.security;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the security module's typed errors. Each names the token store; none carries a key, a
 * secret or the token itself (a token is a credential), only its id, key id and algorithm where
 * known.
 *
 * <p>{@link InvalidTokenException} and its subclasses mean the token must not be accepted (HTTP's
 * 401); {@link InsufficientScopeException} means a genuine token lacks a scope (HTTP's 403); the
 * rest are configuration or argument errors of the caller.
 */
public abstract sealed class TokenException extends ModuleException
    permits InvalidTokenException,
        InsufficientScopeException,
        TokenStoreNotFoundException,
        TtlTooLongException,
        NoSigningKeyException {
  private final String store;

  TokenException(String store, String message) {
    super("token store '" + store + "': " + message);
    this.store = store;
  }

  TokenException(String store, String message, @Nullable Throwable cause) {
    super("token store '" + store + "': " + message, cause);
    this.store = store;
  }

  /** The token store's name. */
  public String store() {
    return store;
  }

  /** The longest text read from an unverified token that a message quotes. */
  static final int MAX_QUOTED_CHARS = 64;

  /**
   * {@code text} (read from a token not yet verified, so chosen by whoever sent it) made safe to
   * put in a message and a log line: control characters escaped, cut to {@value #MAX_QUOTED_CHARS}
   * characters.
   */
  static String untrusted(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && i < MAX_QUOTED_CHARS; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (text.length() > MAX_QUOTED_CHARS) {
      out.append("...(").append(text.length()).append(" characters)");
    }
    return out.toString();
  }
}
