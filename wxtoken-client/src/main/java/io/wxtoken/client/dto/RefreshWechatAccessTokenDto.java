package io.wxtoken.client.dto;

/**
 * The request of the guarded refresh, {@code refresh-wechat-access-token}: the app's credentials
 * and the token WeChat refused (errcode 40001 or 42001). The server replaces its token only if
 * {@code staleToken} is still its current one, so every caller reporting the same token gets the
 * same new one.
 *
 * <p>A mutable bean: not thread-safe while it is being filled in. {@link #toString()} prints
 * neither the secret nor the token.
 */
public final class RefreshWechatAccessTokenDto extends WechatAppDto {
  private String staleToken;

  /** An empty request, to fill in with the setters. */
  public RefreshWechatAccessTokenDto() {
  }

  /**
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret
   * @param staleToken the access token WeChat refused
   */
  public RefreshWechatAccessTokenDto(String appId, String appSecret, String staleToken) {
    super(appId, appSecret);
    this.staleToken = staleToken;
  }

  /**
   * @return the access token WeChat refused
   */
  public String getStaleToken() {
    return staleToken;
  }

  /**
   * @param staleToken the access token WeChat refused
   */
  public void setStaleToken(String staleToken) {
    this.staleToken = staleToken;
  }

  @Override
  String moreFields() {
    return ", staleToken=" + (staleToken == null ? "null" : "<redacted>");
  }
}
