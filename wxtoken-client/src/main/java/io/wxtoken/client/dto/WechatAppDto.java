package io.wxtoken.client.dto;

/**
 * The credentials every wxtoken request carries: the WeChat app's {@code appId} and
 * {@code appSecret}. The secret is sent only in the POST body and {@link #toString()} never
 * prints it.
 *
 * <p>A mutable bean, like Authing's DTOs: not thread-safe while it is being filled in; safe to
 * share once it no longer changes.
 */
public abstract class WechatAppDto {
  private String appId;
  private String appSecret;

  WechatAppDto() {
  }

  WechatAppDto(String appId, String appSecret) {
    this.appId = appId;
    this.appSecret = appSecret;
  }

  /**
   * @return the WeChat AppId
   */
  public String getAppId() {
    return appId;
  }

  /**
   * @param appId the WeChat AppId (公众号 or 小程序)
   */
  public void setAppId(String appId) {
    this.appId = appId;
  }

  /**
   * @return the WeChat AppSecret
   */
  public String getAppSecret() {
    return appSecret;
  }

  /**
   * @param appSecret the WeChat AppSecret, which wxtoken checks before handing out the app's token
   */
  public void setAppSecret(String appSecret) {
    this.appSecret = appSecret;
  }

  /** The fields after {@code appSecret} in {@link #toString()}, each as {@code ", name=value"}. */
  String moreFields() {
    return "";
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{appId=" + appId + ", appSecret="
        + (appSecret == null ? "null" : "<redacted>") + moreFields() + "}";
  }
}
