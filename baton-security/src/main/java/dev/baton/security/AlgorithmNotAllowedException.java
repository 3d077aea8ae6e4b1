package dev.baton.security;

import java.util.List;

/**
 * The token's header names an algorithm the store does not allow, or one other than its key's
 * (which is how algorithm confusion looks: an HS256 token "signed" with an RSA public key as the
 * HMAC secret). The allowed algorithms come from the store's configuration, never from the token.
 */
public final class AlgorithmNotAllowedException extends InvalidTokenException {
  private final String algorithm;

  AlgorithmNotAllowedException(String store, String algorithm, List<TokenAlgorithm> allowed) {
    super(
        store,
        "algorithm '" + untrusted(algorithm) + "' is not allowed; the store accepts " + allowed);
    this.algorithm = algorithm;
  }

  AlgorithmNotAllowedException(
      String store, String algorithm, String keyId, TokenAlgorithm keyAlgorithm) {
    super(
        store,
        "algorithm '"
            + algorithm
            + "' is not allowed with key '"
            + keyId
            + "', which is a "
            + keyAlgorithm
            + " key");
    this.algorithm = algorithm;
  }

  /** The algorithm the token's header named. */
  public String algorithm() {
    return algorithm;
  }
}
