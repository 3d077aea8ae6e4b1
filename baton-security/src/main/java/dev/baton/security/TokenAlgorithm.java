package dev.baton.security;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * The signature algorithms a {@link TokenStore} can be configured with (JWA names). A store accepts
 * a token only if its header names one of the algorithms of the store's keys, and the very
 * algorithm of the key its {@code kid} names; {@code none} is never accepted.
 */
public enum TokenAlgorithm {
  /** HMAC with SHA-256; a secret of at least 32 bytes. */
  HS256(32),
  /** HMAC with SHA-384; a secret of at least 48 bytes. */
  HS384(48),
  /** HMAC with SHA-512; a secret of at least 64 bytes. */
  HS512(64),
  /** RSASSA-PKCS1-v1_5 with SHA-256; an RSA key of at least 2048 bits. */
  RS256(0),
  /** RSASSA-PSS with SHA-256; an RSA key of at least 2048 bits. */
  PS256(0),
  /** ECDSA on P-256 with SHA-256. */
  ES256(0);

  private final int minSecretBytes;

  TokenAlgorithm(int minSecretBytes) {
    this.minSecretBytes = minSecretBytes;
  }

  /** Whether this is an HMAC algorithm (a shared secret) rather than a key pair's. */
  public boolean isHmac() {
    return minSecretBytes > 0;
  }

  /** Whether this is an RSA algorithm. */
  public boolean isRsa() {
    return this == RS256 || this == PS256;
  }

  /** The shortest secret an HMAC algorithm takes (its hash's size), 0 for the others. */
  public int minSecretBytes() {
    return minSecretBytes;
  }

  /** The library's constant for this algorithm. */
  JWSAlgorithm jws() {
    return switch (this) {
      case HS256 -> JWSAlgorithm.HS256;
      case HS384 -> JWSAlgorithm.HS384;
      case HS512 -> JWSAlgorithm.HS512;
      case RS256 -> JWSAlgorithm.RS256;
      case PS256 -> JWSAlgorithm.PS256;
      case ES256 -> JWSAlgorithm.ES256;
    };
  }

  /**
   * Whether signing takes long enough (measured: RSA-2048 about 0.8 ms, ECDSA P-256 about 0.13 ms)
   * to run on the module's workers rather than the dispatching thread.
   */
  boolean slowToSign() {
    return !isHmac();
  }

  /**
   * Whether verifying takes long enough to run on the module's workers (measured: ECDSA P-256 about
   * 0.36 ms; RSA about 0.04 ms and HMAC about 0.02 ms run inline).
   */
  boolean slowToVerify() {
    return this == ES256;
  }

  /** The algorithm named {@code name} (exact JWA spelling), or null. */
  static @org.jspecify.annotations.Nullable TokenAlgorithm byName(String name) {
    for (TokenAlgorithm algorithm : values()) {
      if (algorithm.name().equals(name)) {
        return algorithm;
      }
    }
    return null;
  }
}
