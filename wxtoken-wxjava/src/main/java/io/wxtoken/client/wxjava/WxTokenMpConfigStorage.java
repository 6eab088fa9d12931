package io.wxtoken.client.wxjava;

import io.wxtoken.client.AccessTokenProvider;
import me.chanjar.weixin.mp.config.impl.WxMpDefaultConfigImpl;

/**
 * A WxJava official-account ({@code weixin-java-mp}) config storage whose access token comes from
 * wxtoken: WxJava keeps calling WeChat's APIs itself, but never fetches or refreshes a token.
 *
 * <pre>{@code
 * WxMpService wx = new WxMpServiceImpl();
 * wx.setWxMpConfigStorage(new WxTokenMpConfigStorage(provider));
 * wx.getUserService().userInfo(openid);   // access_token from wxtoken
 * }</pre>
 *
 * <ul>
 *   <li>{@link #getAccessToken()} is the provider's {@code currentToken()}, and
 *       {@link #isAccessTokenExpired()} is always false, so WxJava's own token fetch never runs.
 *   <li>On errcode 40001/42001 WxJava calls {@link #expireAccessToken()}, which reports the
 *       refused token to wxtoken's guarded refresh (once for all threads); WxJava's retry then
 *       reads the new token.
 *   <li>{@link #updateAccessToken(String, int)} ignores what it is given: tokens come from wxtoken
 *       only. Do not call {@code WxMpService.getAccessToken(true)}: it goes to WeChat's token
 *       endpoint directly, whatever the storage, and invalidates the token every other service
 *       shares. {@code expireAccessToken()} is the way to say a token is bad.
 * </ul>
 *
 * <p>Everything else (secret for OAuth, AES key, host config, tickets, HTTP settings) works as in
 * {@link WxMpDefaultConfigImpl}; the AppId is the provider's. Thread-safe as WxJava requires: the
 * token methods delegate to the thread-safe provider.
 */
public final class WxTokenMpConfigStorage extends WxMpDefaultConfigImpl {
  private static final long serialVersionUID = 1L;

  private final transient ProviderTokens tokens;

  /**
   * @param provider the app's token provider; its AppId becomes this storage's
   */
  public WxTokenMpConfigStorage(AccessTokenProvider provider) {
    this.tokens = new ProviderTokens(provider);
    setAppId(provider.appId());
  }

  @Override
  public String getAccessToken() {
    return tokens.get();
  }

  /** Never expired: the provider replaces the token before it expires. */
  @Override
  public boolean isAccessTokenExpired() {
    return false;
  }

  /** Reports the token this thread last read to wxtoken's guarded refresh. */
  @Override
  public void expireAccessToken() {
    tokens.expire();
  }

  /** Ignored: the token comes from wxtoken only. */
  @Override
  public synchronized void updateAccessToken(String accessToken, int expiresInSeconds) {
    // WxJava calls this only after fetching a token itself (getAccessToken(true)); wxtoken's
    // provider stays the one source, and its next refresh picks up whatever WeChat now holds.
  }

  /** The held token's real expiry, epoch milliseconds. */
  @Override
  public long getExpiresTime() {
    return tokens.expiresAtMillis();
  }

  @Override
  public String toString() {
    return "WxTokenMpConfigStorage{appId=" + tokens.appId() + "}";
  }
}
