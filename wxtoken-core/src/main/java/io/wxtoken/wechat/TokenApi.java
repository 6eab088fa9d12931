package io.wxtoken.wechat;

import java.util.Locale;

/** Which WeChat endpoint issues access tokens. */
public enum TokenApi {
  /**
   * {@code POST /cgi-bin/stable_token} in normal mode: repeated calls return the same token while
   * it is valid, so a call never invalidates a token somebody else holds. The default.
   */
  STABLE,
  /**
   * {@code GET /cgi-bin/token}: every call issues a new token and the previous one dies after
   * WeChat's overlap (about 5 minutes). Limited to 2000 calls a day.
   */
  CLASSIC;

  /** Parses {@code stable} or {@code classic}, case-insensitively. */
  public static TokenApi parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "stable" -> STABLE;
      case "classic" -> CLASSIC;
      default -> throw new IllegalArgumentException(
          "unknown token API '" + value + "' (expected stable or classic)");
    };
  }
}
