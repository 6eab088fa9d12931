package io.wxtoken.client.dto;

/**
 * The answer of {@code get-wechat-access-token} (and {@code -info}): Authing's {@code GetWechatAccessTokenRespDto}.
 *
 * <p>A mutable bean, like Authing's DTOs: safe to share once it no longer changes.
 */
public final class GetWechatAccessTokenRespDto extends WxTokenRespDto<GetWechatAccessTokenDataDto> {

  /** An empty answer, for the client (or a JSON binder) to fill in. */
  public GetWechatAccessTokenRespDto() {
  }
}
