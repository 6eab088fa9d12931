package io.wxtoken.token;

import java.time.Duration;
import java.time.Instant;

/**
 * When a token enters its refresh window: a margin before expiry that scales with the lifetime
 * WeChat granted, so the same rule is right for 7200 s tokens and for 30 s test tokens.
 *
 * <p>The margin is {@code lifetime × fraction}, clamped to {@code [min, max]} and never more than
 * half the lifetime. The default (1/30, 1 s … 240 s) gives 240 s for WeChat's 7200 s tokens: inside
 * WeChat's 300 s overlap, which matters twice. In stable mode WeChat only issues a new token within
 * the last 300 s; in classic mode the old token dies 300 s after the new one is issued, so a margin
 * under 300 s keeps every {@code expiresAt} we handed out true.
 *
 * @param fraction share of the lifetime kept as margin
 * @param min smallest margin
 * @param max largest margin
 */
public record RefreshPolicy(double fraction, Duration min, Duration max) {

  /** 1/30 of the lifetime, between 1 s and 240 s. */
  public static final RefreshPolicy DEFAULT =
      new RefreshPolicy(1.0 / 30, Duration.ofSeconds(1), Duration.ofSeconds(240));

  public RefreshPolicy {
    if (!(fraction > 0 && fraction < 0.5)) {
      throw new IllegalArgumentException("fraction must be in (0, 0.5)");
    }
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 <= min <= max");
    }
  }

  /** The margin kept before expiry for a token of this lifetime. */
  public Duration margin(Duration lifetime) {
    long millis = Math.round(lifetime.toMillis() * fraction);
    millis = Math.max(min.toMillis(), Math.min(max.toMillis(), millis));
    return Duration.ofMillis(Math.min(millis, lifetime.toMillis() / 2));
  }

  /** From this instant on, the token should be replaced (it is still served until it expires). */
  public Instant refreshAt(AccessToken token) {
    return token.expiresAt().minus(margin(token.lifetime()));
  }
}
