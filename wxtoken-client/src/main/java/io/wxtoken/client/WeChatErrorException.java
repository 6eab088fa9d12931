package io.wxtoken.client;

/**
 * WeChat answered the server with an errcode ({@code statusCode} 602, apiCode 3002), for example
 * 40013 (invalid appid), 40164 (the server's IP is not whitelisted), 40243 (secret frozen), 45009
 * (daily quota used up). {@link #errcode()} is WeChat's code.
 *
 * <p>Immutable and thread-safe.
 */
public final class WeChatErrorException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  private final int errcode;

  WeChatErrorException(String message, int statusCode, int apiCode, String requestId,
      int errcode) {
    super(message, statusCode, apiCode, requestId, false, null);
    this.errcode = errcode;
  }

  /**
   * WeChat's errcode, read from the server's message; 0 if the message named none.
   *
   * @return the errcode, or 0
   */
  public int errcode() {
    return errcode;
  }
}
