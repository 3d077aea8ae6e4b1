package dev.baton.security;

/**
 * The token is unsecured ({@code "alg":"none"}, in any letter case): it has no signature, so it
 * proves nothing; no store accepts one.
 */
public final class UnsecuredTokenException extends InvalidTokenException {

  UnsecuredTokenException(String store) {
    super(
        store,
        "unsecured token (alg=none) refused: tokens must be signed with one of the store's"
            + " algorithms");
  }
}
