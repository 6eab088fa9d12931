package io.wxtoken.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeComSimulator;
import io.wxtoken.simulator.WeComSimulator.Endpoint;
import io.wxtoken.wecom.WeComJsSdkSignature;
import me.chanjar.weixin.common.bean.WxJsapiSignature;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.cp.api.impl.WxCpServiceHttpComponentsImpl;
import me.chanjar.weixin.cp.bean.WxCpAgentJsapiSignature;
import me.chanjar.weixin.cp.config.impl.WxCpDefaultConfigImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WxJava's WeCom SDK ({@code weixin-java-cp}), unchanged, against {@link WeComSimulator}: with its
 * base API URL pointed at the simulator it gets a token and both JS-SDK tickets, signs pages the
 * way wxtoken does, and recovers from WeCom's early invalidation. This proves the simulator speaks
 * WeCom's format; later the same calls go through wxtoken's WeCom facade.
 */
class WxJavaCpTest {

  private static final String CORP = "ww00000000000000c1";
  private static final int AGENT = 1000002;
  private static final String APP_SECRET = "app-secret-0123456789abcdef0123456789";
  private static final String CONTACTS_SECRET = "contacts-secret-0123456789abcdef01234";
  private static final String PAGE = "https://app.example.com/h5/index.html?from=menu";

  private final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  private final WeComSimulator wecom = WeComSimulator.builder().clock(clock)
      .app(CORP, AGENT, APP_SECRET).secret(CORP, CONTACTS_SECRET).start();

  @AfterEach
  void stop() {
    wecom.close();
  }

  private WxCpServiceHttpComponentsImpl wxJava(String secret) {
    WxCpDefaultConfigImpl config = new WxCpDefaultConfigImpl();
    config.setCorpId(CORP);
    config.setCorpSecret(secret);
    config.setAgentId(AGENT);
    config.setBaseApiUrl(wecom.baseUrl().toString());
    // That service's initHttp() calls getHttpProxyPassword().toCharArray() even without a proxy
    // (weixin-java-cp 4.7.7): an empty password, unused while no proxy host is set, avoids the NPE.
    config.setHttpProxyPassword("");
    WxCpServiceHttpComponentsImpl service = new WxCpServiceHttpComponentsImpl();
    service.setWxCpConfigStorage(config);
    return service;
  }

  @Test
  void getsATokenAndBothTicketsFromTheSimulator() throws Exception {
    WxCpServiceHttpComponentsImpl wx = wxJava(APP_SECRET);

    String token = wx.getAccessToken();
    String corpTicket = wx.getJsapiTicket();
    String agentTicket = wx.getAgentJsapiTicket();

    assertThat(wecom.isValid(token)).isTrue();
    assertThat(wecom.isTicketValid(corpTicket)).isTrue();
    assertThat(wecom.isTicketValid(agentTicket)).isTrue();
    assertThat(agentTicket).isNotEqualTo(corpTicket);
    assertThat(wx.getAgentService().get(AGENT).getAgentId()).isEqualTo(AGENT);
    // WxJava caches all three: asking again costs nothing.
    assertThat(wx.getAccessToken()).isEqualTo(token);
    assertThat(wx.getJsapiTicket()).isEqualTo(corpTicket);
    assertThat(wx.getAgentJsapiTicket()).isEqualTo(agentTicket);
    assertThat(wecom.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(1);
    assertThat(wecom.calls(Endpoint.JSAPI_TICKET, CORP)).isEqualTo(1);
    assertThat(wecom.calls(Endpoint.AGENT_TICKET, CORP)).isEqualTo(1);
  }

  @Test
  void signsWxConfigAndWxAgentConfigAsWxtokenDoes() throws Exception {
    WxCpServiceHttpComponentsImpl wx = wxJava(APP_SECRET);

    // WxJava signs the URL it is given; removing the fragment is left to its caller. wxtoken
    // removes it itself, as WeCom's rule says, so the page's full address signs the same.
    WxJsapiSignature config = wx.createJsapiSignature(PAGE);
    WxCpAgentJsapiSignature agentConfig = wx.createAgentJsapiSignature(PAGE);

    assertThat(WeComJsSdkSignature.forConfig(CORP, wx.getJsapiTicket(), PAGE + "#/home",
        config.getTimestamp(), config.getNonceStr()).signature()).isEqualTo(config.getSignature());
    assertThat(WeComJsSdkSignature.forAgentConfig(CORP, AGENT, wx.getAgentJsapiTicket(),
        PAGE + "#/home", agentConfig.getTimestamp(), agentConfig.getNonceStr()).signature())
        .isEqualTo(agentConfig.getSignature());
    assertThat(agentConfig.getCorpid()).isEqualTo(CORP);
    assertThat(agentConfig.getAgentid()).isEqualTo(AGENT);
    assertThat(agentConfig.getSignature()).isNotEqualTo(config.getSignature());
  }

  @Test
  void refetchesOnceWhenWeComInvalidatedItsTokenEarly() throws Exception {
    WxCpServiceHttpComponentsImpl wx = wxJava(APP_SECRET);
    String token = wx.getAccessToken();

    wecom.invalidate(token);

    // WxJava sees 40014, expires its copy, fetches a new token and retries once.
    assertThat(wx.getAgentService().get(AGENT).getAgentId()).isEqualTo(AGENT);
    assertThat(wx.getAccessToken()).isNotEqualTo(token);
    assertThat(wecom.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(2);
    assertThat(wecom.calls(Endpoint.AGENT_GET, CORP)).isEqualTo(2);
    assertThat(wecom.tokensIssued(CORP)).isEqualTo(2);
  }

  @Test
  void theContactsSecretIsNoAppsSecret() throws Exception {
    WxCpServiceHttpComponentsImpl wx = wxJava(CONTACTS_SECRET);
    assertThat(wecom.isValid(wx.getAccessToken())).isTrue();

    assertThatThrownBy(() -> wx.getAgentService().get(AGENT))
        .isInstanceOfSatisfying(WxErrorException.class,
            e -> assertThat(e.getError().getErrorCode()).isEqualTo(301002));
    assertThatThrownBy(wx::getAgentJsapiTicket)
        .isInstanceOfSatisfying(WxErrorException.class,
            e -> assertThat(e.getError().getErrorCode()).isEqualTo(301002));
    assertThat(wecom.tokensIssued(CORP)).as("a verdict, not a stale token: no refetch").isEqualTo(1);
  }
}
