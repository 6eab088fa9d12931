package io.wxtoken.client.wxjava;

import static io.wxtoken.client.testing.LiveServer.APP_ID;
import static io.wxtoken.client.testing.LiveServer.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import cn.binarywang.wx.miniapp.api.impl.WxMaServiceImpl;
import io.wxtoken.client.AccessTokenProvider;
import io.wxtoken.client.WxTokenClient;
import io.wxtoken.client.testing.CountingProxy;
import io.wxtoken.client.testing.LiveServer;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import me.chanjar.weixin.mp.api.impl.WxMpServiceImpl;
import me.chanjar.weixin.mp.config.WxMpHostConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real WxJava services ({@link WxMpServiceImpl}, {@link WxMaServiceImpl}) configured with the
 * adapters call the WeChat simulator directly with tokens from a real wxtoken server. WxJava runs
 * in its classic mode, so a token fetch of its own would show on the simulator's
 * {@code /cgi-bin/token} counter, while wxtoken fetches with {@code /cgi-bin/stable_token}.
 */
class WxJavaAdaptersTest {
  private static final String REFRESH_PATH = "/api/v3/refresh-wechat-access-token";
  /** The simulator's overlap: a replaced token stays valid this long. */
  private static final Duration OVERLAP = Duration.ofSeconds(300);

  @TempDir
  Path dir;

  private final List<AccessTokenProvider> providers = new ArrayList<>();

  @AfterEach
  void closeProviders() {
    providers.forEach(AccessTokenProvider::close);
  }

  private AccessTokenProvider provider(LiveServer live, String url) {
    AccessTokenProvider provider = AccessTokenProvider.builder(
        WxTokenClient.builder().serverUrl(url).build(), APP_ID, SECRET).clock(live.clock).build();
    providers.add(provider);
    return provider;
  }

  private static WxMpServiceImpl mp(LiveServer live, WxTokenMpConfigStorage storage) {
    WxMpHostConfig host = new WxMpHostConfig();
    host.setApiHost(live.wechat.baseUrl().toString()); // WeChat itself, not wxtoken
    storage.setHostConfig(host);
    storage.setRetrySleepMillis(10);
    storage.setMaxRetryTimes(1);
    WxMpServiceImpl service = new WxMpServiceImpl();
    service.setWxMpConfigStorage(storage);
    return service;
  }

  private static WxMaServiceImpl ma(LiveServer live, WxTokenMaConfig config) {
    config.setApiHostUrl(live.wechat.baseUrl().toString());
    config.setRetrySleepMillis(10);
    config.setMaxRetryTimes(1);
    WxMaServiceImpl service = new WxMaServiceImpl();
    service.setWxMaConfig(config);
    return service;
  }

  /**
   * Another party force-refreshes the token at WeChat, and the old one's overlap runs out: WeChat
   * now answers 40001 for the token wxtoken (and so WxJava) holds.
   */
  private static void replaceTokenAtWeChat(LiveServer live, String old) throws Exception {
    HttpRequest force = HttpRequest.newBuilder(URI.create(live.wechat.baseUrl() + "/cgi-bin/stable_token"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credential\",\"appid\":\""
            + APP_ID + "\",\"secret\":\"" + SECRET + "\",\"force_refresh\":true}"))
        .header("Content-Type", "application/json").build();
    HttpResponse<String> answer = HttpClient.newHttpClient().send(force, HttpResponse.BodyHandlers.ofString());
    assertThat(answer.body()).contains("access_token");
    live.clock.advance(OVERLAP.plusSeconds(1));
    assertThat(live.wechat.isValid(old)).isFalse();
  }

  @Test
  void wxMpServiceCallsWeChatWithTheTokenFromWxToken() throws Exception {
    try (LiveServer live = LiveServer.start(dir)) {
      AccessTokenProvider provider = provider(live, live.url());
      WxMpServiceImpl wx = mp(live, new WxTokenMpConfigStorage(provider));

      String[] ips = wx.getCallbackIP();
      wx.getCallbackIP();

      assertThat(ips).isNotEmpty();
      assertThat(wx.getAccessToken()).isEqualTo(provider.currentToken());
      assertThat(live.wechat.calls(Endpoint.CALLBACK_IP, APP_ID)).isEqualTo(2);
      assertThat(live.wechat.calls(Endpoint.TOKEN, APP_ID)).isZero(); // WxJava fetched nothing
      assertThat(live.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1); // wxtoken did
    }
  }

  @Test
  void on40001WxMpServiceGetsTheNewTokenThroughTheGuardedRefresh() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url())) {
      AccessTokenProvider provider = provider(live, proxy.url());
      WxMpServiceImpl wx = mp(live, new WxTokenMpConfigStorage(provider));
      wx.getCallbackIP();
      String old = provider.currentToken();
      replaceTokenAtWeChat(live, old);

      assertThat(wx.getCallbackIP()).isNotEmpty(); // 40001, then a retry with the new token

      assertThat(proxy.requests(REFRESH_PATH)).isEqualTo(1);
      assertThat(provider.currentToken()).isNotEqualTo(old);
      assertThat(live.wechat.isValid(provider.currentToken())).isTrue();
      assertThat(live.wechat.calls(Endpoint.TOKEN, APP_ID)).isZero();
    }
  }

  @Test
  void concurrent40001sInWxJavaMakeOneServerRefresh() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url()).delay(Duration.ofMillis(50))) {
      AccessTokenProvider provider = provider(live, proxy.url());
      WxMpServiceImpl wx = mp(live, new WxTokenMpConfigStorage(provider));
      replaceTokenAtWeChat(live, wx.getAccessToken());

      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String[]>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(pool.submit(() -> {
            start.await();
            return wx.getCallbackIP();
          }));
        }
        start.countDown();
        for (Future<String[]> call : calls) {
          assertThat(call.get(30, TimeUnit.SECONDS)).isNotEmpty();
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(proxy.requests(REFRESH_PATH)).isEqualTo(1);
      assertThat(live.wechat.calls(Endpoint.TOKEN, APP_ID)).isZero();
    }
  }

  @Test
  void expireAccessTokenWithoutAReadReportsTheHeldToken() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url())) {
      AccessTokenProvider provider = provider(live, proxy.url());
      WxTokenMpConfigStorage storage = new WxTokenMpConfigStorage(provider);
      String old = provider.currentToken();

      Thread other = new Thread(storage::expireAccessToken);
      other.start();
      other.join();

      assertThat(proxy.requests(REFRESH_PATH)).isEqualTo(1);
      assertThat(storage.getAccessToken()).isNotEqualTo(old);
    }
  }

  @Test
  void storageIsNeverExpiredIgnoresUpdatesAndHidesTheSecret() {
    try (LiveServer live = LiveServer.start(dir)) {
      AccessTokenProvider provider = provider(live, live.url());
      WxTokenMpConfigStorage storage = new WxTokenMpConfigStorage(provider);
      storage.setSecret(SECRET); // WxJava's OAuth calls still need it

      storage.updateAccessToken("not-from-wxtoken", 7200);

      assertThat(storage.getAppId()).isEqualTo(APP_ID);
      assertThat(storage.isAccessTokenExpired()).isFalse();
      assertThat(storage.getAccessToken()).isEqualTo(provider.currentToken());
      assertThat(storage.getExpiresTime()).isEqualTo(provider.current().expiresAt().toEpochMilli());
      assertThat(storage.toString()).contains(APP_ID).doesNotContain(SECRET);
    }
  }

  @Test
  void wxMaServiceCallsWeChatWithTheTokenFromWxToken() throws Exception {
    try (LiveServer live = LiveServer.start(dir)) {
      AccessTokenProvider provider = provider(live, live.url());
      WxTokenMaConfig config = new WxTokenMaConfig(provider);
      WxMaServiceImpl wx = ma(live, config);

      String answer = wx.get(live.wechat.baseUrl() + "/cgi-bin/getcallbackip", null);

      assertThat(answer).contains("ip_list");
      assertThat(config.getAppid()).isEqualTo(APP_ID);
      assertThat(config.isAccessTokenExpired()).isFalse();
      assertThat(config.getExpiresTime()).isEqualTo(provider.current().expiresAt().toEpochMilli());
      assertThat(live.wechat.calls(Endpoint.TOKEN, APP_ID)).isZero();
      assertThat(live.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
    }
  }

  @Test
  void on40001WxMaServiceGetsTheNewTokenThroughTheGuardedRefresh() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url())) {
      AccessTokenProvider provider = provider(live, proxy.url());
      WxTokenMaConfig config = new WxTokenMaConfig(provider);
      config.setSecret(SECRET);
      WxMaServiceImpl wx = ma(live, config);
      String callbackIp = live.wechat.baseUrl() + "/cgi-bin/getcallbackip";
      wx.get(callbackIp, null);
      String old = provider.currentToken();
      replaceTokenAtWeChat(live, old);

      assertThat(wx.get(callbackIp, null)).contains("ip_list");

      assertThat(proxy.requests(REFRESH_PATH)).isEqualTo(1);
      assertThat(live.wechat.isValid(provider.currentToken())).isTrue();
      assertThat(live.wechat.calls(Endpoint.TOKEN, APP_ID)).isZero();
      assertThat(config.toString()).doesNotContain(SECRET);
    }
  }
}
