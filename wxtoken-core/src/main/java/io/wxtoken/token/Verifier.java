package io.wxtoken.token;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * A keyed hash of an app's AppSecret: enough to check a presented secret, useless to recover it.
 *
 * <p>Immutable. {@link #matches} compares in constant time; {@link #equals} exists only so a
 * verifier can key a cache.
 */
public final class Verifier {
  private final byte[] hash;

  private Verifier(byte[] hash) {
    this.hash = hash;
  }

  /** Wraps a stored hash (copied). */
  public static Verifier of(byte[] hash) {
    if (hash.length == 0) {
      throw new IllegalArgumentException("empty verifier");
    }
    return new Verifier(hash.clone());
  }

  /** The hash bytes (a copy), for storage. */
  public byte[] bytes() {
    return hash.clone();
  }

  /** Whether both verifiers come from the same secret; constant time in the hash length. */
  public boolean matches(Verifier other) {
    return MessageDigest.isEqual(hash, other.hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verifier v && Arrays.equals(hash, v.hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  /** A short, non-reversible fingerprint, safe to log. */
  @Override
  public String toString() {
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    return "Verifier[" + encoded.substring(0, Math.min(8, encoded.length())) + "…]";
  }
}
