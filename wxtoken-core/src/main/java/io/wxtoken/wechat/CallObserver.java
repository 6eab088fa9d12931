package io.wxtoken.wechat;

/**
 * Hears of every call {@link WeChatClient} makes, once it has its outcome: for metrics.
 *
 * <p>Called on the HTTP client's threads, so it must be quick, thread-safe and must not throw.
 * It is told no secret, token or URL: only which endpoint, how the call ended, and how long it
 * took.
 */
@FunctionalInterface
public interface CallObserver {
  /** Hears nothing. */
  CallObserver NONE = (endpoint, outcome, nanos) -> { };

  /** The outcome of a call that WeChat answered with its token or ticket. */
  String OK = "ok";
  /** The outcome of a call that got no usable answer (connect error, timeout, 5xx, malformed). */
  String UNREACHABLE = "unreachable";

  /**
   * @param endpoint {@code stable_token}, {@code token} or {@code getticket}
   * @param outcome {@link #OK}, {@link #UNREACHABLE}, or the errcode WeChat answered, in decimal
   * @param nanos how long the call took, from sending to its outcome
   */
  void called(String endpoint, String outcome, long nanos);
}
