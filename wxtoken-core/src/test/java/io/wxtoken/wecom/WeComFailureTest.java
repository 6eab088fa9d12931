package io.wxtoken.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The table of what WeCom's errcodes mean for the caller. */
class WeComFailureTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "-1, TRANSIENT",
      "40001, VERDICT", "40013, VERDICT", "40091, VERDICT", "41002, VERDICT", "41004, VERDICT",
      "48002, VERDICT", "60020, VERDICT", "301002, VERDICT",
      "40014, STALE_TOKEN", "42001, STALE_TOKEN",
      "45009, RATE_LIMITED", "45011, RATE_LIMITED", "45033, RATE_LIMITED",
      "40058, OTHER", "41001, OTHER", "42009, OTHER", "1, OTHER"})
  void classifiesWeComsErrcodes(int errcode, WeComFailure expected) {
    assertThat(WeComFailure.of(errcode)).isEqualTo(expected);
    assertThat(WeComFailure.of(new WeChatErrorException(errcode, "m"))).isEqualTo(expected);
    assertThat(WeComFailure.of(new CompletionException(new WeChatErrorException(errcode, "m"))))
        .isEqualTo(expected);
  }

  @Test
  void noUsableAnswerIsTransientAndAnythingElseOther() {
    assertThat(WeComFailure.of(new WeChatUnreachableException("x"))).isEqualTo(WeComFailure.TRANSIENT);
    assertThat(WeComFailure.of(new CompletionException(new WeChatUnreachableException("x"))))
        .isEqualTo(WeComFailure.TRANSIENT);
    assertThat(WeComFailure.of(new IllegalStateException())).isEqualTo(WeComFailure.OTHER);
  }

  @Test
  void onlyTransientFailuresAreRetried() {
    for (WeComFailure failure : WeComFailure.values()) {
      assertThat(failure.isRetryable()).as(failure.name()).isEqualTo(failure == WeComFailure.TRANSIENT);
    }
  }

  @Test
  void ticketTypesParseFromWxtokensApiNames() {
    assertThat(WeComTicketType.parse("corp")).isEqualTo(WeComTicketType.CORP);
    assertThat(WeComTicketType.parse("AGENT")).isEqualTo(WeComTicketType.AGENT);
    assertThat(WeComTicketType.AGENT.wire()).isEqualTo("agent");
    assertThatThrownBy(() -> WeComTicketType.parse("jsapi<script>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("type must be corp or agent");
    assertThatThrownBy(() -> WeComTicketType.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
