package io.wxtoken.client.dto;

/**
 * The request of {@code get-wechat-jsapi-ticket}: the app's credentials and the ticket type,
 * {@code jsapi} (the default when null) or {@code wx_card}.
 *
 * <p>A mutable bean: not thread-safe while it is being filled in.
 */
public final class GetWechatJsapiTicketDto extends WechatAppDto {
  private String type;

  /** An empty request, to fill in with the setters. */
  public GetWechatJsapiTicketDto() {
  }

  /**
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret
   * @param type {@code jsapi}, {@code wx_card}, or null for {@code jsapi}
   */
  public GetWechatJsapiTicketDto(String appId, String appSecret, String type) {
    super(appId, appSecret);
    this.type = type;
  }

  /**
   * @return the ticket type, or null for {@code jsapi}
   */
  public String getType() {
    return type;
  }

  /**
   * @param type {@code jsapi}, {@code wx_card}, or null for {@code jsapi}
   */
  public void setType(String type) {
    this.type = type;
  }

  @Override
  String moreFields() {
    return ", type=" + type;
  }
}
