package io.wxtoken.http;

import io.wxtoken.access.Refusal;
import io.wxtoken.ticket.TicketException;
import io.wxtoken.token.TokenException;

/**
 * The one table from an engine failure to what goes on the wire: Authing's {@link ApiError} and
 * message for the {@code /api/v3/} endpoints, WeChat's errcode and errmsg for the {@code /cgi-bin/}
 * facade, and whether the failure counts against the caller's address in the
 * {@link FailureThrottle}; and the same for a refused caller key ({@link Refusal}).
 *
 * <p>A caller whose credential was not proven ({@link TokenException#unverifiedCaller()}, or any
 * failed secret check) is told only that: never WeChat's own errmsg (40164 names the server's
 * egress address), quota counts or slot times. Those stay in the log and the admin view.
 *
 * <p>Stateless.
 */
final class WireErrors {
  /** What an unverified caller is told, whatever WeChat or the engine said. */
  static final String UNVERIFIED = "the appId and appSecret could not be verified";

  /** An answer in WeChat's terms. */
  record WeChatError(int errcode, String errmsg) {}

  private WireErrors() {}

  /**
   * Whether the failure is a failed credential: it counts in the per-address throttle. A random
   * appId that WeChat calls invalid (40013) is one too, or every such guess would cost a WeChat
   * call unthrottled.
   */
  static boolean isFailedCredential(TokenException e) {
    return unproven(e)
        || e.reason() == TokenException.Reason.SECRET_MISMATCH
        || e.reason() == TokenException.Reason.SECRET_REJECTED
        || (e.reason() == TokenException.Reason.UPSTREAM_ERROR && e.errcode() == 40013);
  }

  /** The Authing error for an engine failure. */
  static ApiError apiError(TokenException e) {
    return switch (e.reason()) {
      case SECRET_MISMATCH -> ApiError.SECRET_MISMATCH;
      case SECRET_REJECTED -> ApiError.SECRET_REJECTED;
      case UPSTREAM_UNAVAILABLE -> ApiError.UPSTREAM_UNAVAILABLE;
      case UPSTREAM_ERROR -> ApiError.UPSTREAM_ERROR;
      case QUOTA_EXHAUSTED -> ApiError.QUOTA_EXHAUSTED;
      case FORCED_REFRESH_LIMIT -> ApiError.FORCED_REFRESH_LIMIT;
      case CLUSTER_UNAVAILABLE -> ApiError.CLUSTER_UNAVAILABLE;
    };
  }

  /**
   * Whether the answer must be the generic one: the caller is unproven and the failure could tell
   * it something about the app. A cluster outage says nothing about the app, and is no failed
   * credential either: callers of a new app during a Redis outage must not be throttled for it.
   */
  private static boolean unproven(TokenException e) {
    return e.unverifiedCaller() && e.reason() != TokenException.Reason.CLUSTER_UNAVAILABLE
        && e.reason() != TokenException.Reason.UPSTREAM_UNAVAILABLE;
  }

  /**
   * What an unproven caller is told when WeChat could not be reached: that much tells it nothing
   * about the app, and saves a first caller from suspecting its secret; the cause stays in the log.
   */
  static final String UNREACHABLE_UNVERIFIED = "WeChat could not be reached, so the appId and"
      + " appSecret could not be verified; retry later";

  /** The Authing message for an engine failure. */
  static String apiMessage(TokenException e) {
    if (unproven(e)) {
      return UNVERIFIED;
    }
    return e.reason() == TokenException.Reason.UPSTREAM_UNAVAILABLE
        ? "cannot get a token from WeChat: " + unavailable(e) : e.getMessage();
  }

  private static String unavailable(TokenException e) {
    return e.unverifiedCaller() ? UNREACHABLE_UNVERIFIED : e.getMessage();
  }

  /** The Authing error for a ticket failure. */
  static ApiError apiError(TicketException e) {
    return e.errcode() == -1 ? ApiError.UPSTREAM_UNAVAILABLE : ApiError.UPSTREAM_ERROR;
  }

  /**
   * WeChat's answer for an engine failure on {@code /cgi-bin/token} ({@code stable} false) or
   * {@code /cgi-bin/stable_token}.
   */
  static WeChatError wechat(TokenException e, boolean stable) {
    boolean secret = e.reason() == TokenException.Reason.SECRET_MISMATCH
        || e.reason() == TokenException.Reason.SECRET_REJECTED;
    if (unproven(e)) {
      // WeChat's own code (40013, 40125...) tells an SDK what to fix; the text adds nothing.
      int errcode = secret ? (stable ? 40125 : 40001)
          : e.reason() == TokenException.Reason.UPSTREAM_ERROR ? e.errcode() : -1;
      String text = errcode == -1 ? "system error" : errcode == 40125 ? "invalid appsecret"
          : "invalid credential";
      return new WeChatError(errcode, text + " (wxtoken: " + UNVERIFIED + ")");
    }
    return switch (e.reason()) {
      case SECRET_MISMATCH, SECRET_REJECTED -> stable
          ? new WeChatError(40125, "invalid appsecret (wxtoken: " + e.getMessage() + ")")
          : new WeChatError(40001, "invalid credential, access_token is invalid or not latest"
              + " (wxtoken: " + e.getMessage() + ")");
      case UPSTREAM_ERROR -> new WeChatError(e.errcode(), e.getMessage());
      case UPSTREAM_UNAVAILABLE -> new WeChatError(-1, "system error (wxtoken: cannot get a token"
          + " from WeChat: " + unavailable(e) + ")");
      case CLUSTER_UNAVAILABLE -> new WeChatError(-1, "system error (wxtoken: " + e.getMessage() + ")");
      case QUOTA_EXHAUSTED -> new WeChatError(45009, "reach max api daily quota limit (wxtoken: "
          + e.getMessage() + ")");
      case FORCED_REFRESH_LIMIT -> new WeChatError(45009, e.getMessage());
    };
  }

  /** The Authing error for a refused caller key. */
  static ApiError apiError(Refusal refusal) {
    return switch (refusal) {
      case UNKNOWN_KEY, DISABLED, REVOKED, EXPIRED -> ApiError.KEY_REJECTED;
      case APP_OUT_OF_SCOPE, OPERATION_OUT_OF_SCOPE, ADDRESS_OUT_OF_SCOPE -> ApiError.KEY_NOT_PERMITTED;
      case RATE_LIMITED -> ApiError.KEY_RATE_LIMITED;
      case SECRET_NOT_ACCEPTED -> ApiError.SECRET_NOT_ACCEPTED;
    };
  }

  /**
   * WeChat's answer for a refused caller key on {@code /cgi-bin/token} ({@code stable} false) or
   * {@code /cgi-bin/stable_token}: the secret's code (40125 stable, 40001 classic) for a bad
   * credential, 48001 (api unauthorized) outside the key's scope, 45011 over its rate. The text
   * is the {@link io.wxtoken.access.Verdict}'s message, which never names a secret or a key.
   */
  static WeChatError wechat(Refusal refusal, String message, boolean stable) {
    return switch (refusal) {
      case APP_OUT_OF_SCOPE, OPERATION_OUT_OF_SCOPE, ADDRESS_OUT_OF_SCOPE ->
          new WeChatError(48001, "api unauthorized (wxtoken: " + message + ")");
      case RATE_LIMITED -> new WeChatError(45011,
          "api minute-quota reach limit, must slower, retry next minute (wxtoken: " + message + ")");
      default -> new WeChatError(stable ? 40125 : 40001,
          "invalid credential (wxtoken: " + message + ")");
    };
  }

  /** WeChat's answer for a ticket failure. */
  static WeChatError wechat(TicketException e) {
    return new WeChatError(e.errcode(), e.getMessage());
  }

  /** WeChat's answer for an internal error. */
  static WeChatError internal(String requestId) {
    return new WeChatError(-1, "system error (wxtoken: internal error, requestId " + requestId + ")");
  }
}
