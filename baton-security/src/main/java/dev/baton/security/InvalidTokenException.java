package dev.baton.security;

import org.jspecify.annotations.Nullable;

/**
 * The token must not be accepted: it is malformed, unsecured, signed with an algorithm or key the
 * store does not allow, tampered with, outside its validity period, for another issuer or audience,
 * or revoked. Catch this type to answer "401 unauthorized"; the subclass says why.
 */
public abstract sealed class InvalidTokenException extends TokenException
    permits MalformedTokenException,
        UnsecuredTokenException,
        AlgorithmNotAllowedException,
        UnknownKeyException,
        InvalidSignatureException,
        TokenExpiredException,
        TokenNotYetValidException,
        WrongIssuerException,
        WrongAudienceException,
        TokenRevokedException {

  InvalidTokenException(String store, String message) {
    super(store, message);
  }

  InvalidTokenException(String store, String message, @Nullable Throwable cause) {
    super(store, message, cause);
  }
}
