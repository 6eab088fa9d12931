package io.wxtoken.open;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.open.CallbackRejectedException.Reason;
import io.wxtoken.simulator.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The timestamp window and the memory of accepted callbacks. */
class ReplayGuardTest {
  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final ReplayGuard guard =
      new ReplayGuard(clock, clock::nanoTime, Duration.ofMinutes(5), 1000);
  private final String now = Long.toString(clock.instant().getEpochSecond());

  @Test
  void admitsAFreshCallbackOnceAndRefusesItsReplay() {
    guard.admit(now, "n1", "sig1");

    assertRejected(() -> guard.admit(now, "n1", "sig1"), Reason.REPLAYED);
    // Any other nonce or signature is another message.
    guard.admit(now, "n2", "sig1");
    guard.admit(now, "n1", "sig2");
  }

  @Test
  void acceptsTimestampsWithinTheWindowEitherWay() {
    long t = clock.instant().getEpochSecond();
    guard.admit(Long.toString(t - 300), "a", "s");
    guard.admit(Long.toString(t + 300), "b", "s");

    assertRejected(() -> guard.admit(Long.toString(t - 301), "c", "s"), Reason.STALE_TIMESTAMP);
    assertRejected(() -> guard.admit(Long.toString(t + 301), "d", "s"), Reason.STALE_TIMESTAMP);
  }

  @Test
  void refusesTimestampsThatAreNotPlainEpochSeconds() {
    for (String bad : new String[] {"", "-1", "+" + now, now + ".0", " " + now, "1e9",
        "9999999999999", "١٧٠٠٠٠٠٠٠٠"}) {
      assertRejected(() -> guard.admit(bad, "n", "s"), Reason.STALE_TIMESTAMP);
    }
    assertRejected(() -> guard.admit(null, "n", "s"), Reason.STALE_TIMESTAMP);
  }

  @Test
  void remembersAMessageForAsLongAsItsTimestampIsAdmissible() {
    // Signed 5 minutes ahead of our clock: admissible until 10 minutes from now.
    String ahead = Long.toString(clock.instant().getEpochSecond() + 300);
    guard.admit(ahead, "n", "s");

    clock.advance(Duration.ofMinutes(9).plusSeconds(59));
    assertRejected(() -> guard.admit(ahead, "n", "s"), Reason.REPLAYED);
    clock.advance(Duration.ofSeconds(2));
    assertRejected(() -> guard.admit(ahead, "n", "s"), Reason.STALE_TIMESTAMP);
  }

  @Test
  void aWallClockSteppedBackDoesNotForgetAcceptedMessages() {
    guard.admit(now, "n", "s");
    // The wall clock jumps 4 minutes ahead, then back; monotonic time moved 4 minutes only.
    clock.advance(Duration.ofMinutes(4));
    clock.set(clock.instant().minus(Duration.ofMinutes(4)));

    assertRejected(() -> guard.admit(now, "n", "s"), Reason.REPLAYED);
  }

  @Test
  void admitsExactlyOneOfConcurrentCopies() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger admitted = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          try {
            guard.admit(now, "same", "same");
            admitted.incrementAndGet();
          } catch (CallbackRejectedException e) {
            assertThat(e.reason()).isEqualTo(Reason.REPLAYED);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(admitted).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void remembersAtMostMaxEntriesAndForgetsThemAfterTwiceTheWindow() {
    ReplayGuard small = new ReplayGuard(clock, clock::nanoTime, Duration.ofMinutes(5), 10);
    for (int i = 0; i < 1000; i++) {
      small.admit(now, "n" + i, "s");
    }
    assertThat(small.remembered()).isLessThanOrEqualTo(10);

    guard.admit(now, "a", "s");
    guard.admit(now, "b", "s");
    assertThat(guard.remembered()).isEqualTo(2);
    clock.advance(Duration.ofMinutes(10));
    assertThat(guard.remembered()).isZero();
  }

  @Test
  void refusesNonsenseSettings() {
    assertThatThrownBy(() -> new ReplayGuard(clock, clock::nanoTime, Duration.ZERO, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReplayGuard(clock, clock::nanoTime, Duration.ofMinutes(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertRejected(Runnable call, Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(CallbackRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
