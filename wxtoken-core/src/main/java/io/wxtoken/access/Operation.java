package io.wxtoken.access;

import java.util.Locale;

/** What a caller key may be used for; a key's scope lists the ones it allows. */
public enum Operation {
  /** Get the app's current token ({@code get-wechat-access-token}, {@code /cgi-bin/token}). */
  TOKEN,
  /** Force the replacement of a token WeChat refused (the guarded refresh, {@code force_refresh}). */
  REFRESH,
  /** Get a JS-SDK or card ticket. */
  TICKET,
  /** Get a JS-SDK signature. */
  SIGN;

  /** The lower-case name used in the API, the CLI and the store. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The operation named {@code label} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Operation parse(String label) {
    for (Operation op : values()) {
      if (op.label().equalsIgnoreCase(label.trim())) {
        return op;
      }
    }
    throw new IllegalArgumentException("unknown operation '" + Keys.printable(label, 20)
        + "' (allowed: token, refresh, ticket, sign)");
  }
}
