package io.wxtoken.client;

/**
 * The server refused to do more now ({@code statusCode} 429): apiCode 2003, too many failed
 * secret checks from this address; 2004, WeChat's limit of forced refreshes (20 a day, 30 s apart)
 * is reached and the current token stays in use; 2005, the app's daily WeChat quota is used up.
 *
 * <p>Immutable and thread-safe.
 */
public final class ThrottledException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  ThrottledException(String message, int statusCode, int apiCode, String requestId) {
    super(message, statusCode, apiCode, requestId, false, null);
  }
}
