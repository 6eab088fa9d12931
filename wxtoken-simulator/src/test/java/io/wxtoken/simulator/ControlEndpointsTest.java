package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxtoken.simulator.SimClient.Answer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code /sim/*} control endpoints used by out-of-process callers. */
class ControlEndpointsTest {

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private final WeChatSimulator sim = WeChatSimulator.builder().clock(clock)
      .app("wxA", "secretA").app("wxB", "secretB").start();
  private final SimClient client = new SimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void statsReportCallsPerEndpointAndPerApp() {
    client.token("wxA", "secretA");
    client.token("wxA", "wrong");
    String stable = client.stable("wxB", "secretB", false).token();
    client.stable("wxB", "secretB", false);
    client.callbackIp(stable);

    Answer stats = client.get("/sim/stats");

    assertThat(stats.status()).isEqualTo(200);
    JsonNode json = stats.json();
    assertThat(json.path("token").asLong()).isEqualTo(2);
    assertThat(json.path("stable_token").asLong()).isEqualTo(2);
    assertThat(json.path("getcallbackip").asLong()).isEqualTo(1);
    JsonNode a = json.path("apps").path("wxA");
    assertThat(a.path("token").asLong()).isEqualTo(2);
    assertThat(a.path("stable_token").asLong()).isZero();
    assertThat(a.path("issued").asLong()).isEqualTo(1);
    JsonNode b = json.path("apps").path("wxB");
    assertThat(b.path("stable_token").asLong()).isEqualTo(2);
    assertThat(b.path("issued").asLong()).isEqualTo(1);
    assertThat(stats.body()).doesNotContain("secretA", "secretB");
  }

  @Test
  void postingAnAppRegistersItAndCanRotateItsSecret() {
    Answer registered = client.post("/sim/apps", "{\"appid\":\"wxNew\",\"secret\":\"s1\"}");
    assertThat(registered.status()).isEqualTo(200);
    assertThat(registered.errcode()).isZero();
    assertThat(client.token("wxNew", "s1").isGrant()).isTrue();

    client.post("/sim/apps", "{\"appid\":\"wxNew\",\"secret\":\"s2\"}");
    assertThat(client.token("wxNew", "s1").errcode()).isEqualTo(40001);
    assertThat(client.token("wxNew", "s2").isGrant()).isTrue();
    assertThat(client.get("/sim/stats").json().path("apps").has("wxNew")).isTrue();
  }

  @Test
  void postingAnAppWithoutIdOrSecretIsABadRequest() {
    assertThat(client.post("/sim/apps", "{\"appid\":\"wxNew\"}").status()).isEqualTo(400);
    assertThat(client.post("/sim/apps", "nope").status()).isEqualTo(400);
    assertThat(client.get("/sim/apps").status()).isEqualTo(405);
  }

  @Test
  void postingFaultsSetsOnlyTheGivenFields() {
    sim.faults().malformedRate(0.125);

    Answer answer = client.post("/sim/faults",
        "{\"errorRate\":0.5,\"serverErrorRate\":0.25,\"timeoutRate\":0.0625,\"latencyMillis\":15,\"hangMillis\":1500}");

    assertThat(answer.status()).isEqualTo(200);
    Faults faults = sim.faults();
    assertThat(faults.errorRate()).isEqualTo(0.5);
    assertThat(faults.serverErrorRate()).isEqualTo(0.25);
    assertThat(faults.malformedRate()).as("omitted, unchanged").isEqualTo(0.125);
    assertThat(faults.timeoutRate()).isEqualTo(0.0625);
    assertThat(faults.latency()).isEqualTo(Duration.ofMillis(15));
    assertThat(faults.hang()).isEqualTo(Duration.ofMillis(1500));
    assertThat(answer.json().path("malformedRate").asDouble()).isEqualTo(0.125);
    assertThat(client.get("/sim/faults").json().path("latencyMillis").asLong()).isEqualTo(15);
  }

  @Test
  void invalidFaultSettingsAreRejectedWholeAndChangeNothing() {
    Answer outOfRange = client.post("/sim/faults", "{\"errorRate\":0.5,\"timeoutRate\":2}");
    Answer unknown = client.post("/sim/faults", "{\"errorRat\":0.5}");
    Answer notNumber = client.post("/sim/faults", "{\"errorRate\":\"half\"}");

    assertThat(outOfRange.status()).isEqualTo(400);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(notNumber.status()).isEqualTo(400);
    assertThat(sim.faults().errorRate()).isZero();
  }

  @Test
  void faultsPostedOverHttpTakeEffect() {
    client.post("/sim/faults", "{\"errorRate\":1}");
    assertThat(client.token("wxA", "secretA").errcode()).isEqualTo(-1);

    Answer reset = client.post("/sim/reset-faults", "");
    assertThat(reset.status()).isEqualTo(200);
    assertThat(client.token("wxA", "secretA").isGrant()).isTrue();
  }

  @Test
  void unknownPathsAnswer404WithJson() {
    for (String path : new String[] {"/", "/cgi-bin/tokenx", "/cgi-bin/ticket/getticketx", "/cgi-bin/ticket", "/sim/nothing"}) {
      Answer answer = client.get(path);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
      assertThat(answer.errcode()).isEqualTo(-1);
      assertThat(answer.errmsg()).isEqualTo("not found");
    }
  }
}
