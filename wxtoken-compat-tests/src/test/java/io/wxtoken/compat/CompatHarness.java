package io.wxtoken.compat;

import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.token.AppStatus;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.TokenApi;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.mp.api.impl.WxMpServiceImpl;
import me.chanjar.weixin.mp.config.WxMpHostConfig;
import me.chanjar.weixin.mp.config.impl.WxMpDefaultConfigImpl;

/**
 * A WeChat simulator on loopback and, optionally, a real wxtoken server in front of it, sharing one
 * {@link ManualClock}; plus WxJava instances, each with its own in-memory storage, the way separate
 * services (or pods, or dev/test/prod) each run their own WxJava for the same app.
 *
 * <p>Time: WeChat's and wxtoken's protocol time is the {@link ManualClock}. WxJava's own cache uses
 * the real clock ({@code WxMpDefaultConfigImpl.updateAccessToken}: expires at
 * {@code now + (expires_in − 200) s}; {@code isAccessTokenExpired}: {@code now > that}). With
 * WeChat's real 7200 s lifetime a fetched token stays cached in WxJava for the whole (real-time
 * short) test, and a test "starts a new lifetime" for WxJava with
 * {@link WxJava#expireCachedToken()}, exactly what WxJava itself does on 40001/42001. A lifetime at
 * or under 200 s would make every WxJava call refetch, so the simulator keeps WeChat's 7200 s.
 */
final class CompatHarness implements AutoCloseable {
  static final String APP_ID = "wx00000000000000c1";
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  /** WeChat's own numbers: 7200 s tokens, a replaced token lives on for 300 s. */
  static final Duration LIFETIME = Duration.ofSeconds(7200);
  static final Duration OVERLAP = Duration.ofSeconds(300);

  final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  final WeChatSimulator wechat;
  private final WxTokenServer wxtoken;
  private final List<WxJava> instances = new ArrayList<>();

  private CompatHarness(Path storeDir, TokenApi upstream) {
    this.wechat = WeChatSimulator.builder().clock(clock).tokenLifetime(LIFETIME).overlap(OVERLAP)
        .app(APP_ID, SECRET).start();
    WxTokenServer server = null;
    if (storeDir != null) {
      try {
        server = WxTokenServer.start(ServerConfig.defaults(storeDir, wechat.baseUrl())
            .withPort(0)
            .withTokenApi(upstream)
            .withWeChatTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)), clock,
            clock::nanoTime, TokenService.Options.defaults(upstream));
      } catch (RuntimeException e) {
        wechat.close();
        throw e;
      }
    }
    this.wxtoken = server;
  }

  /** The simulator alone: WxJava talks to "WeChat" directly. */
  static CompatHarness wechatOnly() {
    return new CompatHarness(null, null);
  }

  /** The simulator and a wxtoken server fetching from it with {@code upstream}. */
  static CompatHarness withWxToken(Path storeDir, TokenApi upstream) {
    return new CompatHarness(storeDir, upstream);
  }

  WxTokenServer wxtoken() {
    if (wxtoken == null) {
      throw new IllegalStateException("no wxtoken server in this harness");
    }
    return wxtoken;
  }

  URI wechatUrl() {
    return wechat.baseUrl();
  }

  URI wxtokenUrl() {
    return URI.create("http://127.0.0.1:" + wxtoken().port());
  }

  /**
   * A WxJava {@link WxMpServiceImpl} with its own {@link WxMpDefaultConfigImpl} (memory storage),
   * its API host set to {@code apiHost} through {@link WxMpHostConfig}.
   */
  WxJava newWxJava(URI apiHost, boolean stableToken) {
    return newWxJava(apiHost, stableToken, SECRET);
  }

  /** As {@link #newWxJava(URI, boolean)}, configured with {@code secret} (a caller key, say). */
  WxJava newWxJava(URI apiHost, boolean stableToken, String secret) {
    WxMpDefaultConfigImpl storage = new WxMpDefaultConfigImpl();
    storage.setAppId(APP_ID);
    storage.setSecret(secret);
    storage.useStableAccessToken(stableToken);
    storage.setHostConfig(host(apiHost));
    // WxJava sleeps retrySleepMillis × 2^n on errcode -1; none is expected, keep a failure short.
    storage.setRetrySleepMillis(10);
    storage.setMaxRetryTimes(1);
    WxMpServiceImpl service = new WxMpServiceImpl();
    service.setWxMpConfigStorage(storage);
    WxJava instance = new WxJava(service, storage);
    instances.add(instance);
    return instance;
  }

  /** {@code n} WxJava instances on the same host and mode. */
  List<WxJava> newWxJavas(int n, URI apiHost, boolean stableToken) {
    List<WxJava> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(newWxJava(apiHost, stableToken));
    }
    return list;
  }

  static WxMpHostConfig host(URI apiHost) {
    WxMpHostConfig config = new WxMpHostConfig();
    config.setApiHost(apiHost.toString());
    return config;
  }

  /** Token requests WeChat received for the app, classic and stable together. */
  long upstreamTokenCalls() {
    return wechat.calls(WeChatSimulator.Endpoint.TOKEN, APP_ID)
        + wechat.calls(WeChatSimulator.Endpoint.STABLE_TOKEN, APP_ID);
  }

  /** New tokens WeChat minted for the app. */
  long tokensMinted() {
    return wechat.tokensIssued(APP_ID);
  }

  boolean isLive(String token) {
    return wechat.isValid(token);
  }

  AppStatus status() {
    return wxtoken().tokens().status(APP_ID)
        .orElseThrow(() -> new AssertionError("wxtoken does not know " + APP_ID));
  }

  String wxtokenCurrentToken() {
    return wxtoken().tokens().cached(APP_ID)
        .orElseThrow(() -> new AssertionError("wxtoken does not know " + APP_ID))
        .token().value();
  }

  /**
   * One wxtoken refresh cycle on its own schedule: moves the clock to the app's proactive refresh
   * time (inside the refresh window, before expiry), runs the due refreshes (as the server's
   * once-a-second refresher would) and waits, in real time, until the new token has landed.
   *
   * @return the new token
   */
  String proactiveRefresh() {
    AppStatus before = status();
    Instant due = before.nextRefreshAt();
    if (due == null) {
      throw new AssertionError("no proactive refresh scheduled: " + before);
    }
    if (due.isAfter(clock.instant())) {
      clock.set(due);
    }
    wxtoken().tokens().refreshDue();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!landed(before)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("proactive refresh did not land within 10 s: " + status());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return wxtokenCurrentToken();
  }

  /** A new token is published and its own next refresh scheduled (the engine does both). */
  private boolean landed(AppStatus before) {
    AppStatus now = status();
    return now.generation() > before.generation() && now.nextRefreshAt() != null
        && now.nextRefreshAt().isAfter(clock.instant());
  }

  @Override
  public void close() {
    for (WxJava instance : instances) {
      // Only the memory storage is per instance; WxJava's HTTP client is a process-wide singleton.
      instance.storage().expireAccessToken();
    }
    if (wxtoken != null) {
      wxtoken.close();
    }
    wechat.close();
  }

  /** One WxJava "service": its {@link WxMpServiceImpl} and its own memory storage. */
  record WxJava(WxMpServiceImpl service, WxMpDefaultConfigImpl storage) {

    /** {@code getAccessToken()}: the cached token, or a fetch from the API host when expired. */
    String token() throws WxErrorException {
      return service.getAccessToken();
    }

    /** {@code getAccessToken(true)}: WxJava's forced refresh (stable mode sends force_refresh). */
    String forceToken() throws WxErrorException {
      return service.getAccessToken(true);
    }

    /** The token WxJava holds, without asking anyone. */
    String cachedToken() {
      return storage.getAccessToken();
    }

    /** Marks the cached token expired, so the next {@link #token()} asks the API host again. */
    void expireCachedToken() {
      storage.expireAccessToken();
    }

    /** A real WeChat API call on the instance's own host setting (wxtoken forwards it). */
    String[] callbackIp() throws WxErrorException {
      return service.getCallbackIP();
    }

    String[] callbackIpVia(URI wechat) throws WxErrorException {
      WxMpHostConfig previous = storage.getHostConfig();
      storage.setHostConfig(host(wechat));
      try {
        return service.getCallbackIP();
      } finally {
        storage.setHostConfig(previous);
      }
    }
  }
}
