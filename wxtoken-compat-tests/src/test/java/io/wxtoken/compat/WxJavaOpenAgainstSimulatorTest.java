package io.wxtoken.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.OpenPlatformSimulator;
import io.wxtoken.simulator.OpenPlatformSimulator.Endpoint;
import java.net.URI;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.open.api.WxOpenComponentService;
import me.chanjar.weixin.open.api.impl.WxOpenInMemoryConfigStorage;
import me.chanjar.weixin.open.api.impl.WxOpenServiceImpl;
import me.chanjar.weixin.open.bean.result.WxOpenQueryAuthResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WxJava's Open Platform SDK ({@code weixin-java-open}) against the Open Platform simulator: the
 * simulator speaks WeChat's component API the way the most used Java SDK expects. Later the same
 * test runs against wxtoken's facade.
 *
 * <p>WxJava's component service has no host setting (its URLs are constants on
 * {@code https://api.weixin.qq.com}, unlike {@code WxMpHostConfig} for official accounts), so the
 * one seam is {@link WxOpenServiceImpl}'s {@code post}/{@code get}, which {@link Redirected}
 * points at another base URL. Everything else (request bodies, the token parameter, parsing,
 * storage and locking) is WxJava's own.
 */
class WxJavaOpenAgainstSimulatorTest {
  private static final String COMPONENT = "wxc0mp0nent000001";
  private static final String SECRET = "c0mp0nentsecret0c0mp0nentsecret0";
  private static final String TOKEN = "msgtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String MERCHANT = "wxmerchant0000001";

  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final OpenPlatformSimulator sim = OpenPlatformSimulator.builder().clock(clock)
      .platform(COMPONENT, SECRET, TOKEN, AES_KEY).start();

  @AfterEach
  void stop() {
    sim.close();
  }

  /** WxJava's service with WeChat's host replaced by {@code base}. */
  static final class Redirected extends WxOpenServiceImpl {
    private static final String WECHAT = "https://api.weixin.qq.com";
    private final String base;

    Redirected(URI base) {
      this.base = base.toString();
    }

    @Override
    public String post(String url, String postData) throws WxErrorException {
      return super.post(rewrite(url), postData);
    }

    @Override
    public String get(String url, String queryParam) throws WxErrorException {
      return super.get(rewrite(url), queryParam);
    }

    private String rewrite(String url) {
      if (!url.startsWith(WECHAT + "/")) {
        throw new AssertionError("WxJava called outside WeChat's API host: " + url);
      }
      return base + url.substring(WECHAT.length());
    }
  }

  private WxOpenComponentService wxJava(String ticket) {
    WxOpenInMemoryConfigStorage storage = new WxOpenInMemoryConfigStorage();
    storage.setWxOpenInfo(COMPONENT, SECRET, TOKEN, AES_KEY);
    storage.setComponentVerifyTicket(ticket);
    WxOpenServiceImpl open = new Redirected(sim.baseUrl());
    open.setWxOpenConfigStorage(storage);
    return open.getWxOpenComponentService();
  }

  private String pushedTicket() {
    // The ticket WeChat minted; its push to a dead callback changes nothing about it.
    sim.callbackUrl(COMPONENT, URI.create("http://127.0.0.1:1/callback"));
    sim.pushTicket(COMPONENT);
    return sim.latestTicket(COMPONENT);
  }

  @Test
  void getsAComponentTokenWithAPushedTicketAndCachesIt() throws Exception {
    WxOpenComponentService wx = wxJava(pushedTicket());

    String token = wx.getComponentAccessToken(false);

    assertThat(sim.isComponentTokenValid(COMPONENT, token)).isTrue();
    assertThat(wx.getComponentAccessToken(false)).isEqualTo(token);
    assertThat(sim.calls(Endpoint.COMPONENT_TOKEN, COMPONENT)).isEqualTo(1);
    String forced = wx.getComponentAccessToken(true);
    assertThat(forced).isNotEqualTo(token);
    assertThat(sim.isComponentTokenValid(COMPONENT, forced)).isTrue();
  }

  @Test
  void exchangesAnAuthorizationCodeAndMintsAuthorizerTokensFromTheRefreshToken() throws Exception {
    String ticket = pushedTicket();
    WxOpenComponentService wx = wxJava(ticket);
    String code = sim.authorize(COMPONENT, MERCHANT, null).authorizationCode();

    WxOpenQueryAuthResult auth = wx.getQueryAuth(code);

    assertThat(auth.getAuthorizationInfo().getAuthorizerAppid()).isEqualTo(MERCHANT);
    String refresh = auth.getAuthorizationInfo().getAuthorizerRefreshToken();
    assertThat(refresh).isEqualTo(sim.refreshToken(COMPONENT, MERCHANT));
    String first = wx.getAuthorizerAccessToken(MERCHANT, false);
    assertThat(first).isEqualTo(auth.getAuthorizationInfo().getAuthorizerAccessToken());
    assertThat(sim.isAuthorizerTokenValid(first)).isTrue();

    // Another WxJava that holds only the refresh token (what a service keeps durably) mints its
    // own authorizer token through api_authorizer_token.
    WxOpenComponentService other = wxJava(ticket);
    other.getWxOpenConfigStorage().setAuthorizerRefreshToken(MERCHANT, refresh);
    String second = other.getAuthorizerAccessToken(MERCHANT, false);

    assertThat(second).isNotEqualTo(first);
    assertThat(sim.isAuthorizerTokenValid(second)).isTrue();
    assertThat(sim.calls(Endpoint.AUTHORIZER_TOKEN, COMPONENT)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.QUERY_AUTH, COMPONENT)).isEqualTo(1);
  }

  @Test
  void seesWeChatsErrcodesAsWxJavaErrors() throws Exception {
    WxOpenComponentService noTicket = wxJava("ticket@@@never-pushed");
    assertThatThrownBy(() -> noTicket.getComponentAccessToken(false))
        .isInstanceOfSatisfying(WxErrorException.class,
            e -> assertThat(e.getError().getErrorCode()).isEqualTo(61006));

    WxOpenComponentService wx = wxJava(pushedTicket());
    wx.getWxOpenConfigStorage().setAuthorizerRefreshToken(MERCHANT, "refreshtoken@@@lost");
    sim.authorize(COMPONENT, MERCHANT, null);
    assertThatThrownBy(() -> wx.getAuthorizerAccessToken(MERCHANT, false))
        .isInstanceOfSatisfying(WxErrorException.class,
            e -> assertThat(e.getError().getErrorCode()).isEqualTo(61023));
  }
}
