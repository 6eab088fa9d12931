/**
 * The client side of WeCom's (企业微信) token and ticket APIs: one HTTP call to
 * {@code /cgi-bin/gettoken}, {@code /cgi-bin/get_jsapi_ticket} or
 * {@code /cgi-bin/ticket/get?type=agent_config} ({@link io.wxtoken.wecom.WeComClient}), what its
 * failures mean ({@link io.wxtoken.wecom.WeComFailure}), a budget that keeps failed
 * {@code gettoken} calls below WeCom's hourly block, and the JS-SDK signatures for
 * {@code wx.config} and {@code wx.agentConfig} ({@link io.wxtoken.wecom.WeComJsSdkSignature}).
 *
 * <p>A WeCom credential is a (corpid, secret) pair: every app secret, the contacts-sync secret and
 * the customer-contact secret of a corp has a token of its own. Nothing here caches or decides
 * when to call: that becomes the engine's job once WeCom is one of its credential kinds.
 */
package io.wxtoken.wecom;
