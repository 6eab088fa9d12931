package io.wxtoken.client;

/**
 * The server failed ({@code statusCode} 500, an HTTP 5xx from it or a proxy in front of it) or
 * answered with something that is not wxtoken's envelope (a wrong URL, a proxy's error page). The
 * 5xx cases were retried, on the other server URLs too, before this was thrown.
 *
 * <p>Immutable and thread-safe.
 */
public final class WxTokenServerException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  WxTokenServerException(String message, int statusCode, int apiCode, String requestId,
      boolean retryable) {
    super(message, statusCode, apiCode, requestId, retryable, null);
  }
}
