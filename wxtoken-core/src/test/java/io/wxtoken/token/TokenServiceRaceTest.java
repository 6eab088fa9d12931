package io.wxtoken.token;

import static io.wxtoken.token.Rig.APP;
import static io.wxtoken.token.Rig.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that meet a flight at the wrong moment: reports of a token that a forced flight is
 * replacing, a proactive refresh that finds another secret's check running, and which tokens
 * still name their app.
 */
class TokenServiceRaceTest {
  private static final String WRONG = "ffffffffffffffffffffffffffffffff";

  @TempDir
  Path dir;

  private Rig rig;

  @AfterEach
  void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void everyReportOfTheReplacedTokenGetsTheNewOneWhileTheForcedFlightLands() throws Exception {
    rig = Rig.in(dir).start();
    AccessToken stale = rig.get();
    rig.sim.faults().latency(Duration.ofMillis(300));

    CompletableFuture<AccessToken> forced = rig.service.refresh(APP, SECRET, stale.value());
    List<CompletableFuture<AccessToken>> reports = new ArrayList<>();
    ExecutorService reporters = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<CompletableFuture<AccessToken>>>> running = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        running.add(reporters.submit(() -> {
          List<CompletableFuture<AccessToken>> mine = new ArrayList<>();
          // Report the stale token throughout the flight, and a little after it landed.
          int after = 0;
          while (after < 20) {
            if (forced.isDone()) {
              after++;
            }
            mine.add(rig.service.refresh(APP, SECRET, stale.value()));
            Thread.sleep(1);
          }
          return mine;
        }));
      }
      for (Future<List<CompletableFuture<AccessToken>>> r : running) {
        reports.addAll(r.get(20, TimeUnit.SECONDS));
      }
    } finally {
      reporters.shutdownNow();
    }

    AccessToken fresh = forced.get(10, TimeUnit.SECONDS);
    assertThat(fresh.value()).isNotEqualTo(stale.value());
    for (CompletableFuture<AccessToken> report : reports) {
      assertThat(report).as("a report of the replaced token").succeedsWithin(Duration.ofSeconds(10))
          .isEqualTo(fresh);
    }
    assertThat(reports.size()).isGreaterThan(8 * 20);
    assertThat(rig.sim.isValid(fresh.value())).isTrue();
  }

  @Test
  void aReportOfATokenThatIsNotTheCurrentOneNeverStartsARefresh() {
    rig = Rig.in(dir).start();
    AccessToken current = rig.get();
    long calls = rig.calls(APP);

    assertThat(rig.service.refresh(APP, SECRET, "a-token-never-issued")).isCompletedWithValue(current);
    assertThat(rig.calls(APP)).isEqualTo(calls);
  }

  @Test
  void aProactiveRefreshThatFindsAnotherSecretsCheckRunningIsReArmedWhenThatCheckFails() {
    rig = Rig.in(dir).simulator(b -> b.tokenLifetime(Duration.ofSeconds(600))
        .overlap(Duration.ofSeconds(60))).start();
    AccessToken token = rig.get();
    rig.clock.advance(token.lifetime().minus(rig.margin(token).dividedBy(2))); // due now
    rig.sim.faults().latency(Duration.ofSeconds(3)); // the check outlasts the next two lines

    CompletableFuture<AccessToken> guess = rig.service.get(APP, WRONG, "10.0.0.2");
    assertThat(rig.service.flightsInProgress()).as("the guess is being checked").isEqualTo(1);
    assertThat(rig.service.refreshDue()).as("the app was due").isEqualTo(1);
    assertThat(guess).failsWithin(Duration.ofSeconds(10));
    Rig.await("the check to land", () -> rig.service.flightsInProgress() == 0);
    rig.sim.faults().latency(Duration.ZERO);
    assertThat(rig.service.cached(APP).orElseThrow().token()).isEqualTo(token);

    rig.clock.advance(Duration.ofSeconds(5));
    rig.service.refreshDue();
    AppRecord refreshed = rig.awaitCached(APP, r -> !r.token().equals(token));

    assertThat(rig.sim.isValid(refreshed.token().value())).isTrue();
    assertThat(refreshed.token().expiresAt()).isAfter(token.expiresAt());
  }

  @Test
  void theReplacedTokenNamesItsAppOnlyUntilItExpires() {
    rig = Rig.in(dir).start();
    AccessToken first = rig.get();
    rig.clock.advance(first.lifetime().minus(rig.margin(first).dividedBy(2)));
    AppRecord next = rig.awaitCachedUnderTraffic(APP, SECRET, r -> !r.token().equals(first));
    AccessToken second = next.token();

    assertThat(rig.service.ownerOf(first.value())).as("within WeChat's overlap").contains(APP);
    assertThat(rig.service.ownerOf(second.value())).contains(APP);

    rig.clock.set(first.expiresAt());
    assertThat(rig.service.ownerOf(first.value())).as("past its own expiresAt").isEmpty();
    assertThat(rig.service.ownerOf(second.value())).contains(APP);

    rig.clock.set(second.expiresAt());
    assertThat(rig.service.ownerOf(second.value())).as("the current token, for a 42001")
        .contains(APP);
    assertThat(rig.service.currentToken(APP)).isEmpty();
    assertThat(rig.service.ownerOf("never-issued")).isEmpty();
  }

  @Test
  void aForcedRefreshEndsTheReplacedTokenAtOnce() {
    rig = Rig.in(dir).start();
    AccessToken stale = rig.get();
    rig.clock.advance(Duration.ofMinutes(10));

    AccessToken fresh = rig.service.refresh(APP, SECRET, stale.value()).join();

    assertThat(fresh.value()).isNotEqualTo(stale.value());
    assertThat(rig.service.ownerOf(stale.value())).isEmpty();
    assertThat(rig.service.ownerOf(fresh.value())).contains(APP);
  }
}
