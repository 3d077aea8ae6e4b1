package dev.baton.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key material the tests share (made once per JVM: RSA generation takes a few hundred ms) and
 * helpers to hand-craft compact JWTs byte by byte, so tests can build the tokens an attacker would.
 */
final class Keys {
  static final byte[] SECRET = random(32);
  static final byte[] OTHER_SECRET = random(32);
  static final KeyPair RSA = generate("RSA", 2048);
  static final KeyPair OTHER_RSA = generate("RSA", 2048);
  static final KeyPair EC = generateEc("secp256r1");

  private Keys() {}

  static byte[] random(int bytes) {
    byte[] value = new byte[bytes];
    new SecureRandom().nextBytes(value);
    return value;
  }

  static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair generateEc(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** base64url without padding of {@code json}'s UTF-8 bytes. */
  static String b64(String json) {
    return b64(json.getBytes(UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] unb64(String text) {
    return Base64.getUrlDecoder().decode(text);
  }

  /** {@code header.payload.HMAC(secret, header.payload)} with the JCA's {@code macAlgorithm}. */
  static String hmacToken(String macAlgorithm, byte[] secret, String header, String payload) {
    String input = b64(header) + "." + b64(payload);
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(secret, macAlgorithm));
      return input + "." + b64(mac.doFinal(input.getBytes(UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HS256 token over {@code header} and {@code payload}. */
  static String hs256(byte[] secret, String header, String payload) {
    return hmacToken("HmacSHA256", secret, header, payload);
  }

  /** An RS256 token signed with {@code key}. */
  static String rs256(PrivateKey key, String header, String payload) {
    String input = b64(header) + "." + b64(payload);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(UTF_8));
      return input + "." + b64(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
