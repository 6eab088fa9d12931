package io.wxtoken.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A WeChat access token and the window in which it is valid.
 *
 * <p>{@code expiresAt} is computed from the {@code expires_in} WeChat returned, counted from when
 * the request was <em>sent</em>, so it never overstates the token's life.
 *
 * @param value the opaque token; a credential, so {@link #toString()} never prints it
 * @param fetchedAt when the request that produced it was sent
 * @param expiresAt when WeChat stops accepting it
 */
public record AccessToken(String value, Instant fetchedAt, Instant expiresAt) {

  public AccessToken {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (!expiresAt.isAfter(fetchedAt)) {
      throw new IllegalArgumentException("expiresAt must be after fetchedAt");
    }
  }

  /** The lifetime WeChat granted. */
  public Duration lifetime() {
    return Duration.between(fetchedAt, expiresAt);
  }

  /** Whether WeChat still accepts the token at {@code now}. */
  public boolean isValidAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "AccessToken[value=<redacted>, fetchedAt=" + fetchedAt + ", expiresAt=" + expiresAt + "]";
  }
}
