package io.wxtoken.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WeChatClient} tells its {@link CallObserver} how every call ended, and nothing more. */
class CallObserverTest {
  private static final String APP = "wx00000000000000c1";
  private static final String SECRET = "5ecret5ecret5ecret5ecret5ecret00";

  record Call(String endpoint, String outcome, long nanos) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private ScriptedWeChat scripted;

  @AfterEach
  void stop() {
    if (scripted != null) {
      scripted.close();
    }
  }

  private WeChatClient client(ScriptedWeChat wechat, TokenApi api) {
    return client(wechat.baseUrl(), api);
  }

  private WeChatClient client(URI base, TokenApi api) {
    return new WeChatClient(base, api, Duration.ofSeconds(1), Duration.ofSeconds(2),
        (endpoint, outcome, nanos) -> calls.add(new Call(endpoint, outcome, nanos)));
  }

  @Test
  void aTokenIsOkOnTheEndpointCalled() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"access_token\":\"T\",\"expires_in\":7200}");

    client(scripted, TokenApi.STABLE).fetchToken(APP, SECRET).get(10, TimeUnit.SECONDS);
    client(scripted, TokenApi.CLASSIC).fetchToken(APP, SECRET).get(10, TimeUnit.SECONDS);

    assertThat(calls).extracting(Call::endpoint, Call::outcome)
        .containsExactly(tuple("stable_token", "ok"),
            tuple("token", "ok"));
    assertThat(calls).allSatisfy(call -> assertThat(call.nanos()).isPositive());
  }

  @Test
  void anErrcodeIsToldAsItsNumber() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"errcode\":40164,\"errmsg\":\"invalid ip\"}");

    Throwable failure = catchThrowable(() ->
        client(scripted, TokenApi.STABLE).fetchToken(APP, SECRET).get(10, TimeUnit.SECONDS));

    assertThat(failure).hasCauseInstanceOf(WeChatErrorException.class);
    assertThat(calls).containsExactly(new Call("stable_token", "40164", calls.get(0).nanos()));
  }

  @Test
  void noUsableAnswerIsUnreachable() throws IOException {
    scripted = ScriptedWeChat.answering(503, "text/html", "<html>busy</html>");
    URI closedPort = URI.create("http://127.0.0.1:1");

    catchThrowable(() -> client(scripted, TokenApi.STABLE).fetchTicket("T", "jsapi")
        .get(10, TimeUnit.SECONDS));
    catchThrowable(() -> client(closedPort, TokenApi.CLASSIC).fetchToken(APP, SECRET)
        .get(10, TimeUnit.SECONDS));

    assertThat(calls).extracting(Call::endpoint, Call::outcome)
        .containsExactly(tuple("getticket", "unreachable"),
            tuple("token", "unreachable"));
  }

  @Test
  void anObserverThatThrowsChangesNothing() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"access_token\":\"T\",\"expires_in\":7200}");
    WeChatClient client = new WeChatClient(scripted.baseUrl(), TokenApi.STABLE,
        Duration.ofSeconds(1), Duration.ofSeconds(2), (endpoint, outcome, nanos) -> {
          throw new IllegalStateException("broken metrics");
        });

    assertThat(client.fetchToken(APP, SECRET).get(10, TimeUnit.SECONDS).accessToken())
        .isEqualTo("T");
  }
}
