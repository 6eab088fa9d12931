package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WeChatCalendarTest {

  @Test
  void dayChangesAtBeijingMidnightWhichIsSixteenHundredUtc() {
    long day = WeChatCalendar.day(Instant.parse("2026-03-01T15:59:59Z"));

    assertThat(WeChatCalendar.day(Instant.parse("2026-03-01T16:00:00Z"))).isEqualTo(day + 1);
    assertThat(WeChatCalendar.day(Instant.parse("2026-03-01T00:00:00Z"))).isEqualTo(day);
    assertThat(WeChatCalendar.day(Instant.parse("2026-02-28T23:59:59Z"))).isEqualTo(day);
    assertThat(WeChatCalendar.day(Instant.parse("2026-02-28T15:59:59Z"))).isEqualTo(day - 1);
  }

  @Test
  void minuteChangesOnWholeMinutes() {
    long minute = WeChatCalendar.minute(Instant.parse("2026-03-01T10:00:59.999Z"));

    assertThat(WeChatCalendar.minute(Instant.parse("2026-03-01T10:00:00Z"))).isEqualTo(minute);
    assertThat(WeChatCalendar.minute(Instant.parse("2026-03-01T10:01:00Z"))).isEqualTo(minute + 1);
  }
}
