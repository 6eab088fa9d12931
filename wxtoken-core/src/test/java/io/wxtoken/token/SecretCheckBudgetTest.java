package io.wxtoken.token;

import static io.wxtoken.token.Rig.APP;
import static io.wxtoken.token.Rig.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.token.TokenException.Reason;
import io.wxtoken.wechat.TokenApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may have a secret checked with WeChat, and what a caller whose secret is not proven learns:
 * the engine against the simulator, callers told apart by their address.
 */
class SecretCheckBudgetTest {
  private static final String NEW_SECRET = "abcdefabcdefabcdefabcdefabcdef00";
  private static final String SERVICE = "10.0.0.1";
  private static final String ATTACKER = "10.0.0.2";
  private static final Duration MINUTE = Duration.ofMinutes(1);

  @TempDir
  Path dir;

  private Rig rig;

  @AfterEach
  void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  private static String wrong(int i) {
    return String.format("%032x", i + 1);
  }

  @Test
  void aRotatedSecretIsCheckedAtOnceWhileAnotherAddressSendsWrongSecretsContinuously() {
    rig = Rig.in(dir).start();
    rig.getFrom(SERVICE, APP, SECRET);
    rig.sim.registerApp(APP, NEW_SECRET);
    rig.clock.advance(MINUTE);
    long before = rig.calls(APP);

    AccessToken rotated = null;
    for (int second = 0; second < 60 && rotated == null; second++) {
      // The attacker asks first, every second, with a new wrong secret each time.
      TokenException refused = rig.refusedFrom(ATTACKER, APP, wrong(second));
      assertThat(refused.unverifiedCaller()).isTrue();
      try {
        rotated = rig.service.get(APP, NEW_SECRET, SERVICE).join();
      } catch (RuntimeException e) {
        rig.clock.advance(Duration.ofSeconds(1));
      }
    }

    assertThat(rotated).as("the rotated secret accepted within 60 s").isNotNull();
    assertThat(rig.sim.isValid(rotated.value())).isTrue();
    assertThat(rig.calls(APP) - before).as("one check for the attacker, one for the service")
        .isEqualTo(2);
    assertThat(rig.service.get(APP, NEW_SECRET, ATTACKER)).isCompletedWithValue(rotated);
  }

  @Test
  void anAddressHasOneSecretCheckedPerMinuteAndTheSameSecretMayBeCheckedAgain() {
    rig = Rig.in(dir).start();
    AccessToken token = rig.getFrom(SERVICE, APP, SECRET);
    rig.clock.advance(MINUTE);

    assertThat(rig.refusedFrom(ATTACKER, APP, wrong(1)).reason())
        .isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.refusedFrom(ATTACKER, APP, wrong(2)).reason())
        .isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.clock.advance(MINUTE);
    assertThat(rig.refusedFrom(ATTACKER, APP, wrong(2)).reason())
        .isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(rig.service.get(APP, SECRET, ATTACKER)).isCompletedWithValue(token);
  }

  @Test
  void checksANewSecretAtOnceOnceWeChatHasRejectedTheStoredOne() {
    rig = Rig.in(dir).start();
    AccessToken token = rig.getFrom(SERVICE, APP, SECRET);
    rig.sim.registerApp(APP, NEW_SECRET); // reset in WeChat's console
    rig.clock.advance(token.lifetime().minus(rig.margin(token).dividedBy(2)));
    rig.service.refreshDue(); // the proactive refresh meets 40125: the stored secret is dead
    Rig.await("the refresh to fail", () -> rig.service.flightsInProgress() == 0);
    assertThat(rig.service.status(APP).orElseThrow().stoppedErrcode()).isEqualTo(40125);

    // This address spent its check seconds ago on a wrong secret...
    assertThat(rig.refusedFrom(SERVICE, APP, wrong(7)).reason()).isEqualTo(Reason.SECRET_REJECTED);
    // ...yet the new secret is checked now, not in a minute: the app is down until it is.
    AccessToken rotated = rig.getFrom(SERVICE, APP, NEW_SECRET);

    assertThat(rig.sim.isValid(rotated.value())).isTrue();
    assertThat(rig.service.status(APP).orElseThrow().stoppedErrcode()).isNull();
  }

  @Test
  void anUnprovenCallerLearnsNothingButAVerifiedOneKeepsTheDetail() {
    rig = Rig.in(dir).start();
    rig.sim.blockIp(APP, true);

    TokenException stranger = rig.refusedFrom(ATTACKER, APP, SECRET);

    assertThat(stranger.unverifiedCaller()).isTrue();
    assertThat(stranger.errcode()).as("kept for metrics").isEqualTo(40164);
    assertThat(stranger.getMessage()).as("WeChat's errmsg names this server's IP")
        .doesNotContain("40164").doesNotContain("ip").doesNotContain("127.0.0.1");
    assertThat(stranger.retryAfter()).isZero();

    rig.sim.blockIp(APP, false);
    rig.clock.advance(MINUTE);
    AccessToken token = rig.getFrom(SERVICE, APP, SECRET);
    rig.sim.blockIp(APP, true);
    rig.clock.set(token.expiresAt());

    TokenException verified = rig.refusedFrom(SERVICE, APP, SECRET);
    assertThat(verified.unverifiedCaller()).isFalse();
    assertThat(verified.getMessage()).contains("40164");
  }

  @Test
  void aKnownAppAndAnUnknownOneAreRefusedInTheSameWords() {
    rig = Rig.in(dir).start();
    rig.getFrom(SERVICE, APP, SECRET);
    String unknown = "wx00000000000000ff";

    TokenException known = rig.refusedFrom(ATTACKER, APP, wrong(1));
    TokenException stranger = rig.refusedFrom(ATTACKER, unknown, wrong(1));
    TokenException knownAgain = rig.refusedFrom(ATTACKER, APP, wrong(2));

    assertThat(stranger.getMessage().replace(unknown, APP))
        .isEqualTo(known.getMessage()).isEqualTo(knownAgain.getMessage());
    assertThat(knownAgain.retryAfter()).isZero();
    assertThat(known.unverifiedCaller() && stranger.unverifiedCaller()
        && knownAgain.unverifiedCaller()).isTrue();
  }

  @Test
  void checksOfAppsWithoutARecordAreLimitedServerWide() {
    rig = Rig.in(dir).options(o -> o.withUnknownAppChecks(2)).start();

    for (int i = 0; i < 2; i++) {
      assertThat(rig.refusedFrom("10.0.1." + i, "wx00000000000000f" + i, wrong(i)).errcode())
          .isEqualTo(40013);
    }
    TokenException third = rig.refusedFrom("10.0.1.9", "wx00000000000000f9", wrong(9));
    TokenException known = rig.refusedFrom("10.0.1.8", APP, SECRET);

    assertThat(third.unverifiedCaller()).isTrue();
    assertThat(third.getMessage()).doesNotContain("40013");
    assertThat(known.unverifiedCaller()).as("even a right secret waits").isTrue();
    assertThat(rig.calls()).as("no call beyond the budget").isEqualTo(2);

    rig.clock.advance(MINUTE);
    AccessToken token = rig.getFrom("10.0.1.8", APP, SECRET);
    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(rig.calls()).isEqualTo(3);
  }

  @Test
  void appsOutsideTheAllowlistAreRefusedAsAWrongSecretWithoutAskingWeChat() {
    rig = Rig.in(dir).options(o -> o.withAllowedApps(Set.of(APP))).start();
    String other = "wx00000000000000b2";
    rig.sim.registerApp(other, SECRET);

    TokenException refused = rig.refusedFrom(ATTACKER, other, SECRET);
    TokenException wrongSecret = rig.refusedFrom(ATTACKER, APP, wrong(1));

    assertThat(refused.reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(refused.unverifiedCaller()).isTrue();
    assertThat(refused.getMessage().replace(other, APP)).isEqualTo(wrongSecret.getMessage());
    assertThat(rig.calls(other)).isZero();
    assertThat(rig.h2.load(other)).isEmpty();
    assertThat(rig.getFrom(SERVICE, APP, SECRET).value()).isNotBlank();
  }

  @Test
  void anAppThatNeverGotATokenLeavesNothingInTheStore() {
    rig = Rig.in(dir).start();
    String unknown = "wx00000000000000ee";

    rig.refusedFrom(ATTACKER, unknown, wrong(1));
    rig.refusedFrom(ATTACKER, APP, wrong(1));

    assertThat(rig.calls()).isEqualTo(2);
    assertThat(rig.h2.load(unknown)).isEmpty();
    assertThat(rig.h2.loadQuota(unknown)).as("no quota row for a guess").isEmpty();
    assertThat(rig.h2.loadQuota(APP)).isEmpty();

    rig.clock.advance(MINUTE);
    rig.getFrom(SERVICE, APP, SECRET);
    assertThat(rig.h2.loadQuota(APP)).hasValueSatisfying(q ->
        assertThat(q.calls()).as("the failed check counts too, once the app is real").isEqualTo(2));
  }

  @Test
  void aBackwardWallClockStepDoesNotStretchTheSecretCheckSlot() {
    rig = Rig.in(dir).start();
    AccessToken token = rig.getFrom(SERVICE, APP, SECRET);
    rig.clock.advance(MINUTE);
    assertThat(rig.refusedFrom(ATTACKER, APP, wrong(1)).reason())
        .isEqualTo(Reason.SECRET_REJECTED);

    rig.clock.set(rig.clock.instant().minus(Duration.ofHours(1))); // NTP steps the clock back
    rig.clock.advance(MINUTE);

    assertThat(rig.refusedFrom(ATTACKER, APP, wrong(2)).reason())
        .as("checked again a minute later, as the monotonic clock says")
        .isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(token).isNotNull();
  }

  @Test
  void aBackwardWallClockStepDoesNotStretchTheFailureHoldoff() {
    rig = Rig.in(dir).api(TokenApi.CLASSIC).start();
    rig.sim.faults().failNext(1, -1, "system error");
    TokenException blip = rig.refused();
    assertThat(rig.refused()).isSameAs(blip);

    rig.clock.set(rig.clock.instant().minus(Duration.ofHours(1))); // NTP steps the clock back
    rig.clock.advance(Duration.ofSeconds(2)); // the holdoff, by the monotonic clock

    AccessToken token = rig.get();
    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(rig.calls(APP)).isEqualTo(2);
  }
}
