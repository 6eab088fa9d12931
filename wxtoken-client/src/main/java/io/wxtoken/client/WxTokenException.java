package io.wxtoken.client;

/**
 * A wxtoken call that did not produce what was asked for. Subclasses say why:
 *
 * <ul>
 *   <li>{@link InvalidRequestException}: the server refused the request as malformed
 *       ({@code statusCode} 400, 404, 405, 413);
 *   <li>{@link SecretRejectedException}: the appSecret is wrong ({@code 403});
 *   <li>{@link ThrottledException}: too many failures, forced refreshes or WeChat calls
 *       ({@code 429});
 *   <li>{@link WeChatUnavailableException}: the server could not reach WeChat ({@code 601});
 *   <li>{@link WeChatErrorException}: WeChat answered with an errcode ({@code 602});
 *   <li>{@link WxTokenServerException}: the server failed, or answered with something that is not
 *       wxtoken's envelope;
 *   <li>{@link WxTokenUnreachableException}: no server answered (connection refused, timed out,
 *       reset), after the client's retries and failover.
 * </ul>
 *
 * <p>{@link #statusCode()} and {@link #apiCode()} are the envelope's fields (the README's error
 * table), 0 when the server gave none; {@link #requestId()} is the id the client sent as
 * {@code X-Request-Id}, which the server logs and echoes, so one id finds a call on both sides.
 *
 * <p>The message is the server's, which never contains the appSecret; the client also removes the
 * caller's appSecret from it should it ever appear. Unchecked, so that it can pass through
 * interfaces like WxJava's config storage that declare no exceptions.
 *
 * <p>Immutable and thread-safe.
 */
public class WxTokenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final int apiCode;
  private final String requestId;
  /** Whether another attempt, on this or another server URL, may succeed. */
  final transient boolean retryable;

  WxTokenException(String message, int statusCode, int apiCode, String requestId,
      boolean retryable, Throwable cause) {
    super(describe(message, statusCode, apiCode, requestId), cause);
    this.statusCode = statusCode;
    this.apiCode = apiCode;
    this.requestId = requestId;
    this.retryable = retryable;
  }

  private static String describe(String message, int statusCode, int apiCode, String requestId) {
    StringBuilder s = new StringBuilder(message == null ? "wxtoken call failed" : message);
    s.append(" (");
    if (statusCode != 0) {
      s.append("statusCode ").append(statusCode).append(", ");
    }
    if (apiCode != 0) {
      s.append("apiCode ").append(apiCode).append(", ");
    }
    return s.append("requestId ").append(requestId).append(')').toString();
  }

  /**
   * Authing's status class from the envelope: 400, 403, 429, 500, 601, 602, ...; 0 when no
   * envelope was received.
   *
   * @return the status class, or 0
   */
  public int statusCode() {
    return statusCode;
  }

  /**
   * wxtoken's own error code from the envelope (1001, 2001, 3002, ...; see the README's table); 0
   * when there was none.
   *
   * @return the error code, or 0
   */
  public int apiCode() {
    return apiCode;
  }

  /**
   * The id of the call, sent as {@code X-Request-Id} and echoed by the server; never null.
   *
   * @return the request id
   */
  public String requestId() {
    return requestId;
  }
}
