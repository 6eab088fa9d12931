package io.wxtoken.open;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@code component_access_token} as WeChat issued it.
 *
 * @param token the token; left out of {@link #toString()}
 * @param expiresIn its lifetime as stated by WeChat (normally 7200 s)
 */
public record ComponentToken(String token, Duration expiresIn) {
  public ComponentToken {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresIn, "expiresIn");
  }

  @Override
  public String toString() {
    return "ComponentToken[expiresIn=" + expiresIn + "]";
  }
}
