package io.wxtoken.compat;

import static io.wxtoken.compat.CompatHarness.APP_ID;
import static io.wxtoken.compat.CompatHarness.OVERLAP;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.compat.CompatHarness.WxJava;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The problem wxtoken exists for (research notes, pain point 1: 40001 "access_token is invalid or
 * not latest"): several services each run WxJava with their own in-memory storage for the same
 * app, all talking to WeChat directly. Each fetches its own token, and each fetch invalidates the
 * tokens the others hold once WeChat's overlap runs out. {@link WxJavaThroughWxTokenTest} is the
 * same setup with wxtoken in between.
 */
class WxJavaWithoutWxTokenTest {

  private static final Duration PAST_OVERLAP = OVERLAP.plusSeconds(1);

  @Test
  void classicModeEveryInstanceFetchesItsOwnTokenAndKillsTheOthers() throws Exception {
    try (CompatHarness h = CompatHarness.wechatOnly()) {
      List<WxJava> wx = h.newWxJavas(3, h.wechatUrl(), false);

      List<String> tokens = new ArrayList<>();
      for (WxJava instance : wx) {
        tokens.add(instance.token());
      }
      assertThat(tokens).doesNotHaveDuplicates();
      assertThat(h.wechat.calls(Endpoint.TOKEN, APP_ID)).isEqualTo(3);
      assertThat(h.tokensMinted()).isEqualTo(3);
      assertThat(tokens).allMatch(h::isLive); // still inside WeChat's 5-minute overlap

      h.clock.advance(PAST_OVERLAP);
      // Each fetch replaced the token before it: only the last instance's token is still good.
      assertThat(h.isLive(tokens.get(0))).isFalse();
      assertThat(h.isLive(tokens.get(1))).isFalse();
      assertThat(h.isLive(tokens.get(2))).isTrue();
      // WxJava cannot know: by its own bookkeeping its token has ~7000 s to go.
      assertThat(wx.get(0).storage().isAccessTokenExpired()).isFalse();
      assertThat(wx.get(0).cachedToken()).isEqualTo(tokens.get(0));

      // Instance 0's next real API call fails with 40001; WxJava expires its copy, fetches again
      // and retries, so the call succeeds, but that fetch replaces instance 2's token in turn.
      assertThat(wx.get(0).callbackIpVia(h.wechatUrl())).containsExactly("127.0.0.1");
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP, APP_ID)).as("one refused, one retried")
          .isEqualTo(2);
      String refetched = wx.get(0).cachedToken();
      assertThat(refetched).isNotIn(tokens);
      assertThat(h.wechat.calls(Endpoint.TOKEN, APP_ID)).isEqualTo(4);

      h.clock.advance(PAST_OVERLAP);
      assertThat(h.isLive(tokens.get(2))).as("instance 2's token, killed by instance 0").isFalse();
      assertThat(h.isLive(refetched)).isTrue();
      // ... and instance 2 now pays the same 40001 + refetch, killing instance 0's new token.
      assertThat(wx.get(2).callbackIpVia(h.wechatUrl())).containsExactly("127.0.0.1");
      assertThat(h.wechat.calls(Endpoint.TOKEN, APP_ID)).isEqualTo(5);
      h.clock.advance(PAST_OVERLAP);
      assertThat(h.isLive(refetched)).isFalse();
    }
  }

  @Test
  void stableModeSharesOneTokenUntilAnInstanceForcesARefresh() throws Exception {
    try (CompatHarness h = CompatHarness.wechatOnly()) {
      List<WxJava> wx = h.newWxJavas(3, h.wechatUrl(), true);

      List<String> tokens = new ArrayList<>();
      for (WxJava instance : wx) {
        tokens.add(instance.token());
      }
      // Normal mode: WeChat hands every caller its current stable token; but each instance still
      // asks WeChat itself.
      assertThat(tokens).containsOnly(tokens.get(0));
      String shared = tokens.get(0);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(3);
      assertThat(h.tokensMinted()).isEqualTo(1);

      // Instance 0 forces a refresh (WxJava's getAccessToken(true): force_refresh=true).
      String forced = wx.get(0).forceToken();
      assertThat(forced).isNotEqualTo(shared);
      assertThat(h.tokensMinted()).isEqualTo(2);
      assertThat(wx.get(1).cachedToken()).isEqualTo(shared);
      assertThat(wx.get(2).cachedToken()).isEqualTo(shared);

      h.clock.advance(PAST_OVERLAP);
      // The token instances 1 and 2 hold is dead, and they do not know it.
      assertThat(h.isLive(shared)).isFalse();
      assertThat(h.isLive(forced)).isTrue();
      assertThat(wx.get(1).storage().isAccessTokenExpired()).isFalse();
      // Each finds out with a failed call (40001), then fetches again.
      assertThat(wx.get(1).callbackIpVia(h.wechatUrl())).containsExactly("127.0.0.1");
      assertThat(wx.get(2).callbackIpVia(h.wechatUrl())).containsExactly("127.0.0.1");
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP, APP_ID)).as("two refused, two retried")
          .isEqualTo(4);
      assertThat(wx.get(1).cachedToken()).isEqualTo(forced);

      // Another instance forcing later (past WeChat's 30 s spacing) kills everybody's token again.
      h.clock.advance(Duration.ofSeconds(31));
      String forcedAgain = wx.get(2).forceToken();
      assertThat(h.tokensMinted()).isEqualTo(3);
      h.clock.advance(PAST_OVERLAP);
      assertThat(h.isLive(forced)).as("held by instances 0 and 1").isFalse();
      assertThat(h.isLive(forcedAgain)).isTrue();
      assertThat(wx.get(0).cachedToken()).isEqualTo(forced);
    }
  }
}
