/**
 * WeChat Open Platform (开放平台) third-party platforms, the parts that stand on their own: the
 * callback crypto ({@link io.wxtoken.open.MessageCrypto}: {@code msg_signature}, AES-256-CBC with
 * 32-byte PKCS#7 blocks, the appid check), the timestamp window and replay memory
 * ({@link io.wxtoken.open.ReplayGuard}), the hardened reading of the pushed events into records
 * ({@link io.wxtoken.open.CallbackOpener}, {@link io.wxtoken.open.ComponentEvent}), and the client
 * of the {@code /cgi-bin/component/*} endpoints ({@link io.wxtoken.open.ComponentClient}) with the
 * meaning of their errcodes ({@link io.wxtoken.open.ComponentVerdict}).
 *
 * <p>The credential chain: a pushed {@code component_verify_ticket} (12 h) mints a
 * {@code component_access_token} (2 h); a merchant's authorization yields an authorization code,
 * exchanged for an {@code authorizer_access_token} (2 h) and an {@code authorizer_refresh_token}
 * (handed out once, valid until de-authorization), which mints the next authorizer tokens.
 * Nothing here caches, stores or schedules: that is for the token engine.
 */
package io.wxtoken.open;
