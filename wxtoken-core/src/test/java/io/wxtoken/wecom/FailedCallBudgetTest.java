package io.wxtoken.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeComSimulator;
import io.wxtoken.wechat.WeChatErrorException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The budget that keeps failed gettoken calls below WeCom's hourly block. */
class FailedCallBudgetTest {

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");

  @Test
  void refusesOnceTheLastHourHoldsTheBudgetsFailures() {
    FailedCallBudget budget = new FailedCallBudget(3, clock::nanoTime);
    for (int i = 0; i < 3; i++) {
      assertThat(budget.mayCall()).isTrue();
      budget.recordFailure();
    }

    assertThat(budget.mayCall()).isFalse();
    assertThat(budget.failuresInLastHour()).isEqualTo(3);
  }

  @Test
  void failuresLeaveTheWindowAnHourAfterTheirMinute() {
    FailedCallBudget budget = new FailedCallBudget(3, clock::nanoTime);
    budget.recordFailure();
    clock.advance(Duration.ofMinutes(30));
    budget.recordFailure();
    budget.recordFailure();
    assertThat(budget.mayCall()).isFalse();

    clock.advance(Duration.ofMinutes(30));
    assertThat(budget.failuresInLastHour()).as("the first failure's minute has passed").isEqualTo(2);
    assertThat(budget.mayCall()).isTrue();
    clock.advance(Duration.ofMinutes(30));
    assertThat(budget.failuresInLastHour()).isZero();
  }

  @Test
  void wallClockStepsNeitherFreeNorStretchTheWindow() {
    FailedCallBudget budget = new FailedCallBudget(1, clock::nanoTime);
    budget.recordFailure();

    clock.set(clock.instant().plus(Duration.ofDays(1)));
    assertThat(budget.mayCall()).as("a step forward frees nothing").isFalse();
    clock.set(clock.instant().minus(Duration.ofDays(2)));
    clock.advance(Duration.ofHours(1));
    assertThat(budget.mayCall()).as("a step back stretches nothing").isTrue();
  }

  @Test
  void refusesANonPositiveBudget() {
    assertThatThrownBy(() -> new FailedCallBudget(0, clock::nanoTime))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A caller spraying bad secrets against the simulator with WeCom's own block: with the default
   * budget the server stops sending them long before WeCom would block its address, so a good
   * secret still gets its token.
   */
  @Test
  void theDefaultBudgetStopsFailedCallsBeforeWeComBlocksTheAddress() throws Exception {
    assertThat(FailedCallBudget.DEFAULT_PER_HOUR).isLessThan(2000);
    // The simulator's block scaled down with the budget: 1/100 of each, same ratio.
    try (WeComSimulator sim = WeComSimulator.builder().clock(clock).failedTokenCallsPerHour(20)
        .app("ww1", 1000002, "good-secret").start()) {
      WeComClient client = new WeComClient(sim.baseUrl(), Duration.ofSeconds(1), Duration.ofSeconds(5));
      FailedCallBudget budget = new FailedCallBudget(FailedCallBudget.DEFAULT_PER_HOUR / 100, clock::nanoTime);
      int sent = 0;
      for (int i = 0; i < 50; i++) {
        if (!budget.mayCall()) {
          continue;
        }
        sent++;
        try {
          client.fetchToken("ww1", "bad-secret-" + i).join();
        } catch (CompletionException e) {
          assertThat(((WeChatErrorException) e.getCause()).errcode()).isEqualTo(40001);
          budget.recordFailure();
        }
      }

      assertThat(sent).isEqualTo(10);
      assertThat(client.fetchToken("ww1", "good-secret").join().accessToken()).isNotBlank();
    }
  }
}
