package io.wxtoken.access;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The text form of a caller key, {@code wxk_<id>_<secret>}: 16 hex digits of id (found in O(1),
 * safe to show and log) and 43 characters of Base64url secret (256 random bits, shown once). 64
 * characters in all, so it fits wherever an AppSecret goes (at most 128 visible ASCII characters).
 */
final class Keys {
  static final String PREFIX = "wxk_";
  static final int ID_LENGTH = 16;
  static final int SECRET_LENGTH = 43;
  static final int LENGTH = PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH;

  private Keys() {}

  /** Whether {@code credential} is meant as a key (then it is checked as one, never as a secret). */
  static boolean looksLikeKey(String credential) {
    return credential != null && credential.startsWith(PREFIX);
  }

  static String newId(SecureRandom random) {
    byte[] id = new byte[ID_LENGTH / 2];
    random.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  static String newSecret(SecureRandom random) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The id of a well-formed key, else null. */
  static String idOf(String key) {
    if (key.length() != LENGTH || key.charAt(PREFIX.length() + ID_LENGTH) != '_') {
      return null;
    }
    for (int i = PREFIX.length(); i < PREFIX.length() + ID_LENGTH; i++) {
      char c = key.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return key.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
  }

  /** Whether {@code id} is a key id's shape (16 lower-case hex digits). */
  static boolean isId(String id) {
    return id != null && id.length() == ID_LENGTH && id.chars().allMatch(
        c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** {@code value} cut to {@code max} characters with anything unprintable replaced, for messages. */
  static String printable(String value, int max) {
    String cut = value.length() > max ? value.substring(0, max) + "…" : value;
    return cut.replaceAll("[^\\x20-\\x7e…]", "?");
  }
}
