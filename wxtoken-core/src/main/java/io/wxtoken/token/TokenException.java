package io.wxtoken.token;

import java.time.Duration;
import java.util.Objects;

/**
 * Why the engine could not hand out a token. The message is written for the caller: it names the
 * cause and what to do, and never contains a secret or a token.
 *
 * <p>Thrown often under attack (wrong secrets), so it carries no stack trace.
 */
public final class TokenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure a caller must tell apart. */
  public enum Reason {
    /** The secret does not match the verified one, and WeChat was not asked (recently asked). */
    SECRET_MISMATCH,
    /** WeChat said the AppSecret is wrong (errcode 40001 or 40125). */
    SECRET_REJECTED,
    /** No usable answer from WeChat: unreachable, timed out, 5xx, malformed. */
    UPSTREAM_UNAVAILABLE,
    /** WeChat answered with another errcode (see {@link #errcode()}). */
    UPSTREAM_ERROR,
    /** The app's daily WeChat quota is used up, or too close to it for a non-essential call. */
    QUOTA_EXHAUSTED,
    /** A forced refresh was asked for beyond WeChat's limit (20 a day, 30 s apart). */
    FORCED_REFRESH_LIMIT,
    /**
     * The store the cluster shares cannot be reached, and calling WeChat without it could replace
     * a token other instances are serving (classic API, forced refresh).
     */
    CLUSTER_UNAVAILABLE
  }

  private final Reason reason;
  private final int errcode;
  private final Duration retryAfter;
  private final boolean unverifiedCaller;

  TokenException(Reason reason, String message, int errcode, Duration retryAfter) {
    this(reason, message, errcode, retryAfter, false);
  }

  TokenException(Reason reason, String message, int errcode, Duration retryAfter,
      boolean unverifiedCaller) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason);
    this.errcode = errcode;
    this.retryAfter = retryAfter;
    this.unverifiedCaller = unverifiedCaller;
  }

  static TokenException of(Reason reason, String message) {
    return new TokenException(reason, message, 0, Duration.ZERO);
  }

  /** What went wrong. */
  public Reason reason() {
    return reason;
  }

  /** WeChat's errcode when WeChat answered with one, else 0. */
  public int errcode() {
    return errcode;
  }

  /**
   * Whether the caller's credential was not proven when this failure happened: a secret that did
   * not match, that WeChat refused, or whose check with WeChat could not be made. Such a caller
   * is counted in the per-address throttle and must learn nothing from the answer (whether the
   * app is known, quota, slot timing, WeChat's errmsg): the HTTP layer answers it generically.
   */
  public boolean unverifiedCaller() {
    return unverifiedCaller;
  }

  /** How long until trying again can help; zero when unknown. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
