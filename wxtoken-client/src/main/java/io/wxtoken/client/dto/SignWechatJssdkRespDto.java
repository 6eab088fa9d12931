package io.wxtoken.client.dto;

/**
 * The answer of {@code sign-wechat-jssdk}.
 *
 * <p>A mutable bean, like Authing's DTOs: safe to share once it no longer changes.
 */
public final class SignWechatJssdkRespDto extends WxTokenRespDto<SignWechatJssdkDataDto> {

  /** An empty answer, for the client (or a JSON binder) to fill in. */
  public SignWechatJssdkRespDto() {
  }
}
