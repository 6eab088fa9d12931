package io.wxtoken.client;

import java.time.Instant;

/**
 * A WeChat access token and its real expiry, as the wxtoken server handed it out.
 *
 * <p>Immutable and thread-safe. {@link #toString()} does not print the token: it is a credential
 * for the app's whole WeChat API.
 */
public final class AccessToken {
  private final String value;
  private final long expiresAtEpochSecond;

  AccessToken(String value, long expiresAtEpochSecond) {
    this.value = value;
    this.expiresAtEpochSecond = expiresAtEpochSecond;
  }

  /**
   * @return the token, to send to WeChat as {@code access_token}
   */
  public String value() {
    return value;
  }

  /**
   * @return when WeChat stops accepting it (whole seconds, rounded down by the server)
   */
  public Instant expiresAt() {
    return Instant.ofEpochSecond(expiresAtEpochSecond);
  }

  long expiresAtMillis() {
    return expiresAtEpochSecond * 1000L;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AccessToken)) {
      return false;
    }
    AccessToken other = (AccessToken) o;
    return value.equals(other.value) && expiresAtEpochSecond == other.expiresAtEpochSecond;
  }

  @Override
  public int hashCode() {
    return value.hashCode() * 31 + Long.hashCode(expiresAtEpochSecond);
  }

  @Override
  public String toString() {
    return "AccessToken{value=<redacted>, expiresAt=" + expiresAt() + "}";
  }
}
