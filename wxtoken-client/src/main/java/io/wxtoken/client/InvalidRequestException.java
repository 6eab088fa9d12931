package io.wxtoken.client;

/**
 * The server refused the request itself ({@code statusCode} 400, 404, 405 or 413): a missing or
 * malformed field, a wrong server URL path. Retrying the same request cannot help.
 *
 * <p>Immutable and thread-safe.
 */
public final class InvalidRequestException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  InvalidRequestException(String message, int statusCode, int apiCode, String requestId) {
    super(message, statusCode, apiCode, requestId, false, null);
  }
}
