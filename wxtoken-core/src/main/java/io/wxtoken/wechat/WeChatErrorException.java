package io.wxtoken.wechat;

/**
 * WeChat answered, with an {@code errcode} other than 0 (for example 40013 invalid appid, 45009
 * daily quota reached, -1 system busy).
 *
 * <p>The message carries WeChat's {@code errcode} and {@code errmsg}, never the request's secret.
 */
public final class WeChatErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errcode;
  private final String errmsg;

  public WeChatErrorException(int errcode, String errmsg) {
    super("WeChat errcode " + errcode + ": " + errmsg, null, false, false);
    this.errcode = errcode;
    this.errmsg = errmsg;
  }

  /** WeChat's {@code errcode}. */
  public int errcode() {
    return errcode;
  }

  /** WeChat's {@code errmsg}, trimmed to a bounded length. */
  public String errmsg() {
    return errmsg;
  }

  /**
   * Whether WeChat said the AppSecret itself is wrong (40001 or 40125 on a token fetch), as opposed
   * to any other refusal.
   */
  public boolean isInvalidSecret() {
    return errcode == 40001 || errcode == 40125;
  }
}
