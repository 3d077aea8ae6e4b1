package dev.baton.security;

import java.util.Set;

/**
 * A valid token lacks scopes the {@link Security.ValidateToken} required (HTTP's 403, not 401): the
 * token is genuine, its holder is not allowed this.
 */
public final class InsufficientScopeException extends TokenException {
  private final String subject;
  private final Set<String> missing;

  InsufficientScopeException(String store, String subject, Set<String> missing) {
    super(
        store, "subject '" + subject + "' lacks the scopes " + missing.stream().sorted().toList());
    this.subject = subject;
    this.missing = Set.copyOf(missing);
  }

  /** The token's subject (the actor). */
  public String subject() {
    return subject;
  }

  /** The required scopes the token does not have. */
  public Set<String> missing() {
    return missing;
  }
}
