package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RefreshScheduleTest {
  private final RefreshSchedule schedule = new RefreshSchedule();

  @Test
  void pollsDueAppsEarliestFirstAndOnlyOnce() {
    schedule.schedule("b", 200);
    schedule.schedule("a", 100);
    schedule.schedule("c", 300);

    assertThat(schedule.pollDue(250, 10)).containsExactly("a", "b");
    assertThat(schedule.pollDue(250, 10)).isEmpty();
    assertThat(schedule.size()).isEqualTo(1);
    assertThat(schedule.nextDueMillis()).isEqualTo(300);
  }

  @Test
  void reschedulingMovesAnAppWithoutLeavingAGhost() {
    schedule.schedule("a", 100);
    schedule.schedule("a", 500);

    assertThat(schedule.pollDue(400, 10)).isEmpty();
    assertThat(schedule.dueMillis("a")).isEqualTo(500);
    assertThat(schedule.pollDue(500, 10)).containsExactly("a");
  }

  @Test
  void cancelledAppsNeverComeDue() {
    schedule.schedule("a", 100);
    schedule.cancel("a");

    assertThat(schedule.pollDue(1_000, 10)).isEmpty();
    assertThat(schedule.dueMillis("a")).isEqualTo(-1);
    assertThat(schedule.nextDueMillis()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void pollsAtMostTheBatchSize() {
    for (int i = 0; i < 100; i++) {
      schedule.schedule("app" + i, i);
    }

    List<String> first = schedule.pollDue(1_000, 30);

    assertThat(first).hasSize(30).startsWith("app0", "app1");
    assertThat(schedule.size()).isEqualTo(70);
  }
}
