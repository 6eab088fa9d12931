package io.wxtoken.client.dto;

/**
 * The answer of {@code get-wechat-jsapi-ticket}.
 *
 * <p>A mutable bean, like Authing's DTOs: safe to share once it no longer changes.
 */
public final class GetWechatJsapiTicketRespDto extends WxTokenRespDto<GetWechatJsapiTicketDataDto> {

  /** An empty answer, for the client (or a JSON binder) to fill in. */
  public GetWechatJsapiTicketRespDto() {
  }
}
