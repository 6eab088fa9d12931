package io.wxtoken.wecom;

import io.wxtoken.ticket.JsSdkSignature;
import java.util.Objects;

/**
 * A WeCom JS-SDK signature: for {@code wx.config} with the corp's jsapi ticket, or for
 * {@code wx.agentConfig} with the app's agent_config ticket. WeCom's rule ("JS-SDK 签名算法",
 * developer.work.weixin.qq.com/document/path/96909) is WeChat's: SHA-1 over
 * {@code jsapi_ticket=…&noncestr=…&timestamp=…&url=…} in that order, values raw (no URL
 * encoding), the URL without its {@code #fragment}; so this delegates to {@link JsSdkSignature}.
 *
 * @param corpId the corp ({@code appId} of {@code wx.config}, {@code corpid} of {@code wx.agentConfig})
 * @param agentId the app's agentid for {@code wx.agentConfig}; {@code null} for {@code wx.config}
 * @param timestamp epoch seconds, as signed
 * @param nonceStr the nonce, as signed
 * @param signature 40 lowercase hex digits
 */
public record WeComJsSdkSignature(String corpId, Integer agentId, long timestamp, String nonceStr,
    String signature) {

  /**
   * Signs a page for {@code wx.config}.
   *
   * @param corpId the corp
   * @param corpTicket the corp's jsapi ticket ({@link WeComTicketType#CORP})
   * @param url the page's full URL; a fragment is removed before signing
   * @param timestamp epoch seconds
   * @param nonceStr the nonce (see {@link JsSdkSignature#nonce})
   * @return the signature with the values {@code wx.config} takes
   */
  public static WeComJsSdkSignature forConfig(String corpId, String corpTicket, String url,
      long timestamp, String nonceStr) {
    return sign(corpId, null, corpTicket, url, timestamp, nonceStr);
  }

  /**
   * Signs a page for {@code wx.agentConfig}.
   *
   * @param corpId the corp
   * @param agentId the app's agentid
   * @param agentTicket the app's agent_config ticket ({@link WeComTicketType#AGENT})
   * @param url the page's full URL; a fragment is removed before signing
   * @param timestamp epoch seconds
   * @param nonceStr the nonce (see {@link JsSdkSignature#nonce})
   * @return the signature with the values {@code wx.agentConfig} takes
   */
  public static WeComJsSdkSignature forAgentConfig(String corpId, int agentId, String agentTicket,
      String url, long timestamp, String nonceStr) {
    return sign(corpId, agentId, agentTicket, url, timestamp, nonceStr);
  }

  private static WeComJsSdkSignature sign(String corpId, Integer agentId, String ticket, String url,
      long timestamp, String nonceStr) {
    Objects.requireNonNull(corpId, "corpId");
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(nonceStr, "nonceStr");
    JsSdkSignature signed = JsSdkSignature.sign(corpId, ticket, url, timestamp, nonceStr);
    return new WeComJsSdkSignature(corpId, agentId, timestamp, nonceStr, signed.signature());
  }
}
