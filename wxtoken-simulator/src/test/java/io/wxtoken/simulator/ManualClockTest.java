package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  @Test
  void standsStillUntilMovedAndIsUtc() {
    ManualClock clock = ManualClock.startingAt("2026-03-01T10:00:00Z");

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void advanceAndSetMoveTheInstant() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));

    clock.advance(Duration.ofMinutes(90));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T11:30:00Z"));

    clock.advance(Duration.ofSeconds(-30));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T11:29:30Z"));

    clock.set(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void withZoneSharesTheInstant() {
    ManualClock utc = ManualClock.startingAt("2026-03-01T10:00:00Z");
    ManualClock beijing = utc.withZone(ZoneId.of("Asia/Shanghai"));

    utc.advance(Duration.ofHours(1));

    assertThat(beijing.getZone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(beijing.instant()).isEqualTo(utc.instant());
    assertThat(utc.withZone(ZoneOffset.UTC)).isSameAs(utc);
  }

  @Test
  void concurrentAdvancesAreNotLost() throws InterruptedException {
    ManualClock clock = ManualClock.startingAt("2026-03-01T00:00:00Z");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          clock.advance(Duration.ofMillis(1));
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T00:00:04Z"));
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> new ManualClock(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ManualClock.startingAt("2026-03-01T00:00:00Z").advance(null))
        .isInstanceOf(NullPointerException.class);
  }
}
