package io.wxtoken.wechat;

/**
 * No usable answer from WeChat: connection refused or reset, a timeout, an HTTP status other than
 * 200, or a body that is not the JSON WeChat documents.
 *
 * <p>The message says which of those happened and never contains the request URL (which, for
 * {@code /cgi-bin/token}, holds the secret).
 */
public final class WeChatUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WeChatUnreachableException(String message) {
    super(message, null, false, false);
  }
}
