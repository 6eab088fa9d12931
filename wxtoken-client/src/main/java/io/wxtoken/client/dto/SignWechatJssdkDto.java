package io.wxtoken.client.dto;

/**
 * The request of {@code sign-wechat-jssdk}: the app's credentials and the page URL to sign for
 * {@code wx.config} (its {@code #fragment} is removed by the server, as WeChat requires).
 *
 * <p>A mutable bean: not thread-safe while it is being filled in.
 */
public final class SignWechatJssdkDto extends WechatAppDto {
  private String url;

  /** An empty request, to fill in with the setters. */
  public SignWechatJssdkDto() {
  }

  /**
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret
   * @param url the page's http(s) URL
   */
  public SignWechatJssdkDto(String appId, String appSecret, String url) {
    super(appId, appSecret);
    this.url = url;
  }

  /**
   * @return the page's URL
   */
  public String getUrl() {
    return url;
  }

  /**
   * @param url the page's http(s) URL, at most 2048 characters
   */
  public void setUrl(String url) {
    this.url = url;
  }

  @Override
  String moreFields() {
    return ", url=" + url;
  }
}
