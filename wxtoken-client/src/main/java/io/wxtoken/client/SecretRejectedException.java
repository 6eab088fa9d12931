package io.wxtoken.client;

/**
 * The appSecret was refused ({@code statusCode} 403): apiCode 2001, it does not match the one
 * wxtoken verified for the app (if the secret was just reset in WeChat, the message says when to
 * retry); apiCode 2002, WeChat itself rejected it.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretRejectedException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  SecretRejectedException(String message, int statusCode, int apiCode, String requestId) {
    super(message, statusCode, apiCode, requestId, false, null);
  }
}
