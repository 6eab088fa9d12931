package io.wxtoken.secret;

/**
 * Comparison of secrets (AppSecrets, caller keys) whose time does not depend on where they
 * differ, for the request paths that check a presented secret against the one verified last.
 *
 * <p>{@link java.security.MessageDigest#isEqual} does the same for bytes; this works on the
 * strings themselves, so a hit allocates nothing. Stateless and thread-safe.
 */
public final class ConstantTime {
  private ConstantTime() {}

  /**
   * Whether {@code a} and {@code b} hold the same characters, in time that depends only on their
   * length (a length is no secret: WeChat's AppSecrets and wxtoken's keys have fixed lengths).
   *
   * @param a one string, not null
   * @param b the other, not null
   * @return whether they are equal
   */
  public static boolean equals(String a, String b) {
    if (a.length() != b.length()) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < a.length(); i++) {
      diff |= a.charAt(i) ^ b.charAt(i);
    }
    return diff == 0;
  }
}
