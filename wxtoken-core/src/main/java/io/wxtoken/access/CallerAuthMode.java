package io.wxtoken.access;

import java.util.Locale;

/**
 * Which credentials callers may present ({@code --caller-auth}): AppSecrets only (as before caller
 * keys existed), caller keys only (AppSecrets then enter only through the apps file), or both.
 */
public enum CallerAuthMode {
  SECRET(true, false), KEY(false, true), SECRET_AND_KEY(true, true);

  private final boolean secrets;
  private final boolean keys;

  CallerAuthMode(boolean secrets, boolean keys) {
    this.secrets = secrets;
    this.keys = keys;
  }

  /** Whether an AppSecret is accepted from a caller. */
  public boolean acceptsSecrets() {
    return secrets;
  }

  /** Whether a caller key is accepted. */
  public boolean acceptsKeys() {
    return keys;
  }

  /** The mode named {@code secret}, {@code key} or {@code secret,key} (either order). */
  public static CallerAuthMode parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    return switch (v) {
      case "secret" -> SECRET;
      case "key" -> KEY;
      case "secret,key", "key,secret" -> SECRET_AND_KEY;
      default -> throw new IllegalArgumentException("must be secret, key or secret,key");
    };
  }

  /** The flag's spelling of this mode. */
  public String label() {
    return this == SECRET_AND_KEY ? "secret,key" : name().toLowerCase(Locale.ROOT);
  }
}
