package io.wxtoken.simulator;

/**
 * The Open Platform's error answers, with WeChat's texts (the {@code api_component_token} and
 * {@code api_create_preauthcode} pages' tables, and the 6100x/61023 texts WeChat SDKs quote).
 */
final class OpenErrors {

  static final WeChatError CLIENT_IP_NOT_REGISTERED =
      new WeChatError(61004, "access clientip is not registered");
  static final WeChatError TICKET_EXPIRED = new WeChatError(61005, "component ticket is expired");
  static final WeChatError TICKET_INVALID = new WeChatError(61006, "component ticket is invalid");
  static final WeChatError NOT_AUTHORIZED =
      new WeChatError(61003, "component is not authorized by this account");
  static final WeChatError CODE_INVALID = new WeChatError(61009, "code is invalid");
  static final WeChatError CODE_EXPIRED = new WeChatError(61010, "code is expired");
  static final WeChatError INVALID_COMPONENT = new WeChatError(61011, "invalid component");
  static final WeChatError REFRESH_TOKEN_INVALID =
      new WeChatError(61023, "refresh_token is invalid");

  private OpenErrors() {
  }
}
