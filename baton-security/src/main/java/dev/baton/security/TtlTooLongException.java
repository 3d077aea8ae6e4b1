package dev.baton.security;

import java.time.Duration;

/** A {@link Security.CreateToken} asked for a lifetime over the store's maximum. */
public final class TtlTooLongException extends TokenException {
  TtlTooLongException(String store, Duration ttl, Duration max) {
    super(store, "a token may live at most " + max + ", not " + ttl);
  }
}
