package io.wxtoken.simulator;

/**
 * A WeChat error answer, {@code {"errcode":N,"errmsg":"..."}}, with the codes the simulator uses.
 * Texts follow WeChat's own (see the research notes, section 2.6).
 *
 * @param errcode WeChat's error code
 * @param errmsg WeChat's error message
 */
record WeChatError(int errcode, String errmsg) implements TokenReply {

  static final WeChatError SYSTEM_ERROR = new WeChatError(-1, "system error");
  static final WeChatError INVALID_CREDENTIAL =
      new WeChatError(40001, "invalid credential, access_token is invalid or not latest");
  static final WeChatError INVALID_GRANT_TYPE = new WeChatError(40002, "invalid grant_type");
  static final WeChatError INVALID_APPID = new WeChatError(40013, "invalid appid");
  static final WeChatError INVALID_ARGS = new WeChatError(40097, "invalid args");
  static final WeChatError INVALID_APPSECRET = new WeChatError(40125, "invalid appsecret");
  static final WeChatError SECRET_FROZEN =
      new WeChatError(40243, "AppSecret已被冻结，请登录小程序平台解冻后再次调用。");
  static final WeChatError ACCESS_TOKEN_MISSING = new WeChatError(41001, "access_token missing");
  static final WeChatError APPID_MISSING = new WeChatError(41002, "appid missing");
  static final WeChatError APPSECRET_MISSING = new WeChatError(41004, "appsecret missing");
  static final WeChatError ACCESS_TOKEN_EXPIRED = new WeChatError(42001, "access_token expired");
  static final WeChatError REQUIRE_POST = new WeChatError(43002, "require POST method");
  static final WeChatError DAILY_QUOTA = new WeChatError(45009, "reach max api daily quota limit");
  static final WeChatError MINUTE_QUOTA =
      new WeChatError(45011, "api minute-quota reach limit, must slower, retry next minute");
  static final WeChatError DATA_FORMAT = new WeChatError(47001, "data format error");
  static final WeChatError NOT_FOUND = new WeChatError(-1, "not found");

  /** 40164, naming the caller's address the way WeChat does for an IPv4 client. */
  static WeChatError ipNotWhitelisted(String ip) {
    return new WeChatError(40164, "invalid ip " + ip + " ipv6 ::ffff:" + ip + ", not in whitelist");
  }
}
