package dev.baton.security;

import org.jspecify.annotations.Nullable;

/** The token's issuer ({@code iss}) is not the store's: it was issued by someone else. */
public final class WrongIssuerException extends InvalidTokenException {
  WrongIssuerException(String store, @Nullable String found, String expected) {
    super(
        store,
        "the token's issuer is "
            + (found == null ? "missing" : "'" + found + "'")
            + ", expected '"
            + expected
            + "'");
  }
}
