package io.wxtoken.token;

import static io.wxtoken.token.Rig.APP;
import static io.wxtoken.token.Rig.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apps no caller asks for any more are forgotten after the configured time, and only those. */
class IdleEvictionTest {
  private static final String OTHER = "wx00000000000000b7";
  private static final Duration IDLE = Duration.ofDays(3);

  @TempDir
  Path dir;

  private Rig rig;

  @AfterEach
  void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  /** Moves time by {@code days}, a few hours at a time, running the scheduler as the server does. */
  private void live(int days, boolean askForApp) {
    for (int step = 0; step < days * 4; step++) {
      rig.clock.advance(Duration.ofHours(6));
      rig.service.refreshDue();
      Rig.await("refreshes to land", () -> rig.service.flightsInProgress() == 0);
      if (askForApp) {
        rig.get(APP, SECRET);
      }
    }
  }

  @Test
  void anAppNobodyAskedForIsForgottenInMemoryAndInTheStoreWhileAnAskedOneStays() {
    rig = Rig.in(dir).simulator(b -> b.app(OTHER, SECRET))
        .options(o -> o.withEvictAfter(IDLE)).start();
    rig.get(APP, SECRET);
    rig.get(OTHER, SECRET);

    live(4, true);

    assertThat(rig.service.cached(OTHER)).as("nobody asked for it in 4 days").isEmpty();
    assertThat(rig.h2.load(OTHER)).isEmpty();
    assertThat(rig.service.cached(APP)).isPresent();
    assertThat(rig.h2.load(APP)).isPresent();
    long calls = rig.calls(OTHER);

    AccessToken again = rig.get(OTHER, SECRET);
    assertThat(rig.sim.isValid(again.value())).as("its next caller fetches it again").isTrue();
    assertThat(rig.calls(OTHER)).isEqualTo(calls + 1);
  }

  @Test
  void withoutTheSettingNothingIsForgotten() {
    rig = Rig.in(dir).simulator(b -> b.app(OTHER, SECRET)).start();
    rig.get(OTHER, SECRET);

    live(4, false);

    assertThat(rig.service.cached(OTHER)).isPresent();
    assertThat(rig.h2.load(OTHER)).isPresent();
  }
}
