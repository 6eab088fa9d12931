package io.wxtoken.http;

import java.util.Locale;

/**
 * How {@code data.expiresAt} (epoch seconds) is written: a JSON number, as Authing's API reference
 * documents, or a JSON string, for clients typed that way (Authing's Go SDK declares a string and
 * fails on a number; its Java and Node SDKs accept both).
 */
public enum ExpiresAtFormat {
  NUMBER,
  STRING;

  /** Parses {@code number} or {@code string}, case-insensitively. */
  public static ExpiresAtFormat parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "number" -> NUMBER;
      case "string" -> STRING;
      default -> throw new IllegalArgumentException(
          "unknown expiresAt format '" + value + "' (expected number or string)");
    };
  }
}
