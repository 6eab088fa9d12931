package io.wxtoken.open;

import java.time.Duration;
import java.util.Objects;

/**
 * A pre-authorization code, for the authorization page a merchant is sent to.
 *
 * @param code the code; left out of {@link #toString()}
 * @param expiresIn its lifetime as stated by WeChat
 */
public record PreAuthCode(String code, Duration expiresIn) {
  public PreAuthCode {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(expiresIn, "expiresIn");
  }

  @Override
  public String toString() {
    return "PreAuthCode[expiresIn=" + expiresIn + "]";
  }
}
