package io.wxtoken.client.dto;

/**
 * The request of {@code get-wechat-access-token} (and {@code get-wechat-access-token-info}):
 * Authing's {@code GetWechatAccessTokenDto}.
 *
 * <p>A mutable bean, like Authing's DTOs: not thread-safe while it is being filled in.
 */
public final class GetWechatAccessTokenDto extends WechatAppDto {

  /** An empty request, to fill in with the setters (Authing's style). */
  public GetWechatAccessTokenDto() {
  }

  /**
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret
   */
  public GetWechatAccessTokenDto(String appId, String appSecret) {
    super(appId, appSecret);
  }
}
