package io.wxtoken.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * One access token or ticket the WeCom simulator handed out. It ends at its own expiry (42001) or
 * earlier when WeCom invalidates it ("企业微信可能会出于运营需要, 提前使access_token失效": 40014).
 *
 * <p>Thread-safe: identity fields are final, the early end is volatile.
 */
final class WeComIssued {

  private final String value;
  private final WeComCorp corp;
  private final WeComCredential owner;
  private final Instant expiresAt;
  private volatile boolean revoked;

  WeComIssued(String value, WeComCorp corp, WeComCredential owner, Instant expiresAt) {
    this.value = value;
    this.corp = corp;
    this.owner = owner;
    this.expiresAt = expiresAt;
  }

  String value() {
    return value;
  }

  WeComCorp corp() {
    return corp;
  }

  /** @return the secret it was issued to; {@code null} for a corp jsapi ticket */
  WeComCredential owner() {
    return owner;
  }

  void revoke() {
    revoked = true;
  }

  /** @return {@code null} while usable at {@code now}, else the error WeCom would answer */
  WeComError checkAt(Instant now) {
    if (revoked) {
      return WeComError.INVALID_ACCESS_TOKEN;
    }
    return now.isBefore(expiresAt) ? null : WeComError.ACCESS_TOKEN_EXPIRED;
  }

  /** @return whole seconds left (rounded down, never negative) */
  long remainingSeconds(Instant now) {
    return Math.max(0, Duration.between(now, expiresAt).getSeconds());
  }

  /** @return whether it is usable at {@code now} for at least one more whole second */
  boolean isReusableAt(Instant now) {
    return !revoked && remainingSeconds(now) >= 1;
  }

  @Override
  public String toString() {
    return "WeComIssued[" + corp.corpId() + ", expires " + expiresAt + (revoked ? ", revoked]" : "]");
  }
}
