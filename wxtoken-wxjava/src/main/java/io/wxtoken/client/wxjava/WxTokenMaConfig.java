package io.wxtoken.client.wxjava;

import cn.binarywang.wx.miniapp.config.impl.WxMaDefaultConfigImpl;
import io.wxtoken.client.AccessTokenProvider;

/**
 * A WxJava mini-program ({@code weixin-java-miniapp}) config whose access token comes from
 * wxtoken: WxJava keeps calling WeChat's APIs itself, but never fetches or refreshes a token.
 *
 * <pre>{@code
 * WxMaService wx = new WxMaServiceImpl();
 * wx.setWxMaConfig(new WxTokenMaConfig(provider));
 * wx.getUserService().getSessionInfo(code);   // uses the secret, as before
 * wx.getQrcodeService().createWxaCodeUnlimitBytes(scene, page, ...);   // access_token from wxtoken
 * }</pre>
 *
 * <p>The token methods behave as in {@link WxTokenMpConfigStorage}: {@link #getAccessToken()} is
 * the provider's token, {@link #isAccessTokenExpired()} is always false, {@link #expireAccessToken()}
 * (WxJava's reaction to 40001/42001) reports the token to wxtoken's guarded refresh, and
 * {@link #updateAccessToken(String, int)} is ignored. Do not call
 * {@code WxMaService.getAccessToken(true)}, which goes to WeChat directly.
 *
 * <p>Everything else works as in {@link WxMaDefaultConfigImpl}; the AppId is the provider's.
 * Thread-safe as WxJava requires.
 */
public final class WxTokenMaConfig extends WxMaDefaultConfigImpl {
  private final ProviderTokens tokens;

  /**
   * @param provider the app's token provider; its AppId becomes this config's
   */
  public WxTokenMaConfig(AccessTokenProvider provider) {
    this.tokens = new ProviderTokens(provider);
    setAppid(provider.appId());
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
    // As in WxTokenMpConfigStorage: the provider stays the one source.
  }

  /** The held token's real expiry, epoch milliseconds. */
  @Override
  public long getExpiresTime() {
    return tokens.expiresAtMillis();
  }

  @Override
  public String toString() {
    return "WxTokenMaConfig{appId=" + tokens.appId() + "}";
  }
}
