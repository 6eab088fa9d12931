package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void defaultsInjectNothing() {
    Faults faults = new Faults(1);

    for (int i = 0; i < 100; i++) {
      FaultDecision d = faults.decide();
      assertThat(d.kind()).isEqualTo(FaultDecision.Kind.NONE);
      assertThat(d.latency()).isZero();
    }
    assertThat(faults.hang()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void failNextAppliesToExactlyCountCallsAndComesFirst() {
    Faults faults = new Faults(1).errorRate(1.0).failNext(2, 45009, "reach max api daily quota limit");

    assertThat(faults.decide().error()).isEqualTo(new WeChatError(45009, "reach max api daily quota limit"));
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.FAIL_NEXT);
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.SYSTEM_ERROR);
  }

  @Test
  void failNextZeroCancelsAPendingFailure() {
    Faults faults = new Faults(1).failNext(5, -1, "system error").failNext(0, -1, "x");

    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.NONE);
  }

  @Test
  void earlierFaultKindsWinWhenRatesOverlap() {
    Faults faults = new Faults(1).errorRate(1).malformedRate(1).serverErrorRate(1).timeoutRate(1);
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.TIMEOUT);

    faults.timeoutRate(0);
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.SERVER_ERROR);

    faults.serverErrorRate(0);
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.MALFORMED);

    faults.malformedRate(0);
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.SYSTEM_ERROR);
  }

  @Test
  void ratesAreFractionsOfCalls() {
    Faults faults = new Faults(7).errorRate(0.25);
    int errors = 0;
    for (int i = 0; i < 4000; i++) {
      if (faults.decide().kind() == FaultDecision.Kind.SYSTEM_ERROR) {
        errors++;
      }
    }
    assertThat(errors).isBetween(900, 1100);
  }

  @Test
  void sameSeedGivesTheSameFaultSequence() {
    assertThat(sequence(42)).isEqualTo(sequence(42)).contains(FaultDecision.Kind.NONE, FaultDecision.Kind.SYSTEM_ERROR);
    assertThat(sequence(42)).isNotEqualTo(sequence(43));
  }

  @Test
  void latencyAndHangAreCarriedOnTheDecision() {
    Faults faults = new Faults(1).latency(Duration.ofMillis(40)).hang(Duration.ofMillis(900)).timeoutRate(1);

    FaultDecision d = faults.decide();

    assertThat(d.latency()).isEqualTo(Duration.ofMillis(40));
    assertThat(d.hang()).isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void resetRestoresTheDefaults() {
    Faults faults = new Faults(1).errorRate(1).serverErrorRate(0.5).malformedRate(0.5).timeoutRate(0.5)
        .latency(Duration.ofSeconds(1)).hang(Duration.ofSeconds(1)).failNext(3, -1, "system error");

    faults.reset();

    assertThat(faults.errorRate()).isZero();
    assertThat(faults.serverErrorRate()).isZero();
    assertThat(faults.malformedRate()).isZero();
    assertThat(faults.timeoutRate()).isZero();
    assertThat(faults.latency()).isZero();
    assertThat(faults.hang()).isEqualTo(Duration.ofSeconds(30));
    assertThat(faults.decide().kind()).isEqualTo(FaultDecision.Kind.NONE);
  }

  @Test
  void rejectsOutOfRangeSettings() {
    Faults faults = new Faults(1);

    assertThatThrownBy(() -> faults.errorRate(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> faults.timeoutRate(-0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> faults.malformedRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> faults.latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> faults.failNext(-1, -1, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<FaultDecision.Kind> sequence(long seed) {
    Faults faults = new Faults(seed).errorRate(0.5);
    List<FaultDecision.Kind> kinds = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      kinds.add(faults.decide().kind());
    }
    return kinds;
  }
}
