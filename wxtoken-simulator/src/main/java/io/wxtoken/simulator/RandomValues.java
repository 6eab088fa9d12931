package io.wxtoken.simulator;

import java.security.SecureRandom;

/**
 * Opaque random strings over WeChat's URL-safe alphabet, for tokens and tickets.
 * Thread-safe: {@link SecureRandom} is itself thread-safe.
 */
final class RandomValues {

  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();

  private final SecureRandom random = new SecureRandom();

  /** @return {@code length} random characters of {@code [A-Za-z0-9_-]} */
  String next(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ALPHABET[bytes[i] & 0x3F];
    }
    return new String(chars);
  }
}
