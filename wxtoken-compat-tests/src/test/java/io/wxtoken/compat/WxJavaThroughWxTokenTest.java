package io.wxtoken.compat;

import static io.wxtoken.compat.CompatHarness.APP_ID;
import static io.wxtoken.compat.CompatHarness.OVERLAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wxtoken.compat.CompatHarness.WxJava;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.wechat.TokenApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WxJava unchanged but for its API host ({@code WxMpHostConfig.apiHost} = wxtoken), in its classic
 * ({@code GET /cgi-bin/token}) and stable ({@code POST /cgi-bin/stable_token}) modes, against
 * wxtoken fetching from WeChat with either API. Several WxJava instances, each with its own
 * in-memory storage, get the same live token, and WeChat sees one fetch per token lifetime.
 * Compare {@link WxJavaWithoutWxTokenTest}.
 */
class WxJavaThroughWxTokenTest {

  private static final int INSTANCES = 3;

  @TempDir
  Path dir;

  /** WxJava's mode × wxtoken's upstream API. */
  static Stream<Arguments> modes() {
    return Stream.of(
        Arguments.of(false, TokenApi.CLASSIC),
        Arguments.of(false, TokenApi.STABLE),
        Arguments.of(true, TokenApi.CLASSIC),
        Arguments.of(true, TokenApi.STABLE));
  }

  @ParameterizedTest(name = "WxJava stable={0}, wxtoken upstream {1}")
  @MethodSource("modes")
  void instancesShareOneLiveTokenAndWeChatSeesOneFetchPerLifetime(boolean stable, TokenApi upstream)
      throws Exception {
    try (CompatHarness h = CompatHarness.withWxToken(dir, upstream)) {
      List<WxJava> wx = h.newWxJavas(INSTANCES, h.wxtokenUrl(), stable);

      String current = sameTokenFromAll(wx);
      assertThat(h.upstreamTokenCalls()).isEqualTo(1);
      assertThat(h.tokensMinted()).isEqualTo(1);
      assertThat(current).isEqualTo(h.wxtokenCurrentToken());
      assertThat(h.isLive(current)).isTrue();
      // The token works against WeChat itself.
      assertThat(wx.get(0).callbackIp()).containsExactly("127.0.0.1");

      // expires_in is the token's real remaining life: 1000 s later, WxJava (expires_in − 200 s)
      // caches it for about 7200 − 1000 − 200 s.
      h.clock.advance(Duration.ofSeconds(1000));
      for (WxJava instance : wx) {
        instance.expireCachedToken();
      }
      long asked = System.currentTimeMillis();
      assertThat(sameTokenFromAll(wx)).isEqualTo(current);
      assertThat(h.upstreamTokenCalls()).isEqualTo(1);
      assertThat(wx.get(0).storage().getExpiresTime() - asked)
          .isCloseTo(Duration.ofSeconds(7200 - 1000 - 200).toMillis(), within(5_000L));

      for (int lifetime = 2; lifetime <= 4; lifetime++) {
        String previous = current;
        current = h.proactiveRefresh();
        assertThat(current).isNotEqualTo(previous);
        assertThat(h.upstreamTokenCalls()).as("WeChat fetches in lifetime %d", lifetime)
            .isEqualTo(lifetime);
        assertThat(h.tokensMinted()).isEqualTo(lifetime);
        // Replaced before it expired, and still good: nobody holding it gets a 40001.
        assertThat(h.isLive(previous)).isTrue();
        for (WxJava instance : wx) {
          assertThat(instance.cachedToken()).isEqualTo(previous);
          instance.expireCachedToken(); // WxJava's own expiry, as at the end of its lifetime
        }
        assertThat(sameTokenFromAll(wx)).isEqualTo(current);
        assertThat(h.upstreamTokenCalls()).isEqualTo(lifetime);
        assertThat(h.isLive(current)).isTrue();
        assertThat(wx.get(lifetime % INSTANCES).callbackIp())
            .containsExactly("127.0.0.1");
      }
      // Every real API call went through with the first token it was given.
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP, APP_ID)).isEqualTo(4);
    }
  }

  @ParameterizedTest(name = "WxJava stable={0}, wxtoken upstream {1}")
  @MethodSource("modes")
  void coldInstancesAskingAtOnceCostOneFetch(boolean stable, TokenApi upstream) throws Exception {
    int n = 12;
    try (CompatHarness h = CompatHarness.withWxToken(dir, upstream)) {
      List<WxJava> wx = h.newWxJavas(n, h.wxtokenUrl(), stable);
      ExecutorService pool = Executors.newFixedThreadPool(n);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (WxJava instance : wx) {
          answers.add(CompletableFuture.supplyAsync(() -> {
            try {
              start.await();
              return instance.token();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, pool));
        }
        start.countDown();
        List<String> tokens = new ArrayList<>();
        for (CompletableFuture<String> answer : answers) {
          tokens.add(answer.get(30, TimeUnit.SECONDS));
        }
        assertThat(tokens).hasSize(n).containsOnly(tokens.get(0));
        assertThat(h.upstreamTokenCalls()).isEqualTo(1);
        assertThat(h.isLive(tokens.get(0))).isTrue();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest(name = "WxJava stable={0}, wxtoken upstream {1}")
  @MethodSource("modes")
  void forcedRefreshesStayWithinWeChatsLimitsAndEveryoneGetsTheNewToken(boolean stable,
      TokenApi upstream) throws Exception {
    try (CompatHarness h = CompatHarness.withWxToken(dir, upstream)) {
      List<WxJava> wx = h.newWxJavas(INSTANCES, h.wxtokenUrl(), stable);
      String shared = sameTokenFromAll(wx);
      assertThat(h.tokensMinted()).isEqualTo(1);

      String forced = wx.get(0).forceToken();
      if (stable) {
        // force_refresh=true: wxtoken replaces the token once, for everyone.
        assertThat(forced).isNotEqualTo(shared);
        assertThat(h.tokensMinted()).isEqualTo(2);
      } else {
        // The classic endpoint has no force: wxtoken answers from its cache, WeChat is not asked.
        assertThat(forced).isEqualTo(shared);
        assertThat(h.tokensMinted()).isEqualTo(1);
        assertThat(h.upstreamTokenCalls()).isEqualTo(1);
      }
      long minted = h.tokensMinted();

      // The other instances force too, within 30 s (say each saw a 40001): same token, no new one.
      assertThat(wx.get(1).forceToken()).isEqualTo(forced);
      assertThat(wx.get(2).forceToken()).isEqualTo(forced);
      assertThat(h.tokensMinted()).isEqualTo(minted);
      assertThat(h.wxtokenCurrentToken()).isEqualTo(forced);

      // The replaced token stays good for WeChat's overlap, and nobody holds it any more.
      assertThat(h.isLive(shared)).isTrue();
      h.clock.advance(OVERLAP.plusSeconds(1));
      assertThat(h.isLive(forced)).isTrue();
      for (WxJava instance : wx) {
        assertThat(instance.cachedToken()).isEqualTo(forced);
        assertThat(instance.callbackIp()).containsExactly("127.0.0.1");
      }
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP, APP_ID)).as("no call refused")
          .isEqualTo(INSTANCES);
      assertThat(h.tokensMinted()).isEqualTo(minted);
    }
  }

  /** Asks every instance for its token and checks they are all the same. */
  @ParameterizedTest(name = "WxJava stable={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void wxJavaWithACallerKeyAsItsSecretGetsTheSharedTokenAndCallsWeChat(boolean stable)
      throws Exception {
    try (CompatHarness h = CompatHarness.withWxToken(dir, TokenApi.STABLE)) {
      String shared = h.newWxJava(h.wxtokenUrl(), stable).token(); // registers the app's secret
      String key = h.wxtoken().access().create(new io.wxtoken.access.KeySpec("wxjava",
          java.util.Set.of(APP_ID), java.util.EnumSet.of(io.wxtoken.access.Operation.TOKEN),
          List.of(), null, 0, 0), "admin", null).secretKey();
      WxJava keyed = h.newWxJava(h.wxtokenUrl(), stable, key);

      assertThat(keyed.token()).isEqualTo(shared);
      assertThat(keyed.callbackIp()).containsExactly("127.0.0.1");
      assertThat(h.upstreamTokenCalls()).isEqualTo(1);

      h.wxtoken().access().revoke(key.substring(4, 20), "admin", null);
      keyed.expireCachedToken();
      org.assertj.core.api.Assertions.assertThatThrownBy(keyed::token)
          .isInstanceOf(me.chanjar.weixin.common.error.WxErrorException.class)
          .hasMessageContaining(stable ? "40125" : "40001");
      assertThat(h.upstreamTokenCalls()).isEqualTo(1);
    }
  }

  private static String sameTokenFromAll(List<WxJava> wx) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (WxJava instance : wx) {
      tokens.add(instance.token());
    }
    assertThat(tokens).doesNotContainNull().containsOnly(tokens.get(0));
    return tokens.get(0);
  }
}
