package io.wxtoken.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * One token the simulator has handed out, and when it stops being valid.
 *
 * <p>A token ends either at its own expiry (then WeChat answers 42001) or earlier, when a newer
 * token replaced it and the overlap ran out (then 40001). Thread-safe: the identity fields are
 * final; the replacement cut-off is written under the owning app's lock and read without it, so
 * it is volatile.
 */
final class IssuedToken {

  private final String value;
  private final String appId;
  private final TokenKind kind;
  private final Instant expiresAt;
  private volatile Instant cutOffAt;

  IssuedToken(String value, String appId, TokenKind kind, Instant expiresAt) {
    this.value = value;
    this.appId = appId;
    this.kind = kind;
    this.expiresAt = expiresAt;
  }

  String value() {
    return value;
  }

  String appId() {
    return appId;
  }

  TokenKind kind() {
    return kind;
  }

  Instant expiresAt() {
    return expiresAt;
  }

  /** Marks this token as replaced: it stays valid until {@code until} at the latest. */
  void cutOff(Instant until) {
    Instant current = cutOffAt;
    cutOffAt = current == null || until.isBefore(current) ? until : current;
  }

  /** @return {@code null} if valid at {@code now}, else the error WeChat would answer */
  WeChatError checkAt(Instant now) {
    Instant cut = cutOffAt;
    if (cut != null && cut.isBefore(expiresAt)) {
      // Replaced before its natural end: once the overlap is over it is "not latest".
      return now.isBefore(cut) ? null : WeChatError.INVALID_CREDENTIAL;
    }
    return now.isBefore(expiresAt) ? null : WeChatError.ACCESS_TOKEN_EXPIRED;
  }

  /** @return whole seconds left before the natural expiry (never negative) */
  long remainingSeconds(Instant now) {
    return Math.max(0, Duration.between(now, expiresAt).getSeconds());
  }

  @Override
  public String toString() {
    // Never print the token itself.
    return "IssuedToken[" + kind + " for " + appId + ", expires " + expiresAt + "]";
  }
}
