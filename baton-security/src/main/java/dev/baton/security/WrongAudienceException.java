package dev.baton.security;

import java.util.List;

/**
 * The token's audience ({@code aud}) does not include the store's: it is meant for someone else.
 */
public final class WrongAudienceException extends InvalidTokenException {
  WrongAudienceException(String store, List<String> found, String expected) {
    super(
        store, "the token's audience is " + found + ", which does not include '" + expected + "'");
  }
}
