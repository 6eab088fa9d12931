package io.wxtoken.client;

/**
 * The server could not get an answer from WeChat ({@code statusCode} 601, apiCode 3001): WeChat
 * unreachable, timing out or failing, after the server's own retries, or the app's circuit breaker
 * is open. The client does not retry it: the server already did, and answers the same for 2 s.
 *
 * <p>Immutable and thread-safe.
 */
public final class WeChatUnavailableException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  WeChatUnavailableException(String message, int statusCode, int apiCode, String requestId) {
    super(message, statusCode, apiCode, requestId, false, null);
  }
}
