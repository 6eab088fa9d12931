package io.wxtoken.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The call-and-classify path the three upstream clients share, on what they do not each test:
 * several credentials, lenient or strict numbers, a request that cannot be built.
 */
class JsonUpstreamTest {
  private static final Duration CONNECT = Duration.ofSeconds(1);
  private static final Duration READ = Duration.ofSeconds(5);

  private final List<String> outcomes = new CopyOnWriteArrayList<>();
  private ScriptedWeChat scripted;

  @AfterEach
  void stop() {
    if (scripted != null) {
      scripted.close();
    }
  }

  private JsonUpstream upstream(boolean strictNumbers) {
    return new JsonUpstream("WeChat", CONNECT, READ, 64 * 1024, strictNumbers,
        (endpoint, outcome, nanos) -> outcomes.add(endpoint + "=" + outcome), System::nanoTime);
  }

  private CompletableFuture<String> call(JsonUpstream upstream, List<String> credentials) {
    HttpRequest request = HttpRequest.newBuilder(scripted.baseUrl().resolve("/x"))
        .timeout(READ).GET().build();
    return upstream.send("x", () -> request, credentials, node -> upstream.text(node, "value"));
  }

  private static Throwable failure(CompletableFuture<?> future) throws InterruptedException {
    try {
      future.get();
      throw new AssertionError("the call succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void scrubsEveryCredentialTheRequestCarriedFromErrmsgSkippingNullAndEmptyOnes()
      throws Exception {
    scripted = ScriptedWeChat.answeringJson(
        "{\"errcode\":40001,\"errmsg\":\"bad s3cret-A for tok3n-B, rid: 1\"}");

    Throwable failure =
        failure(call(upstream(false), Arrays.asList("s3cret-A", null, "", "tok3n-B")));

    assertThat(failure).isInstanceOf(WeChatErrorException.class);
    assertThat(((WeChatErrorException) failure).errcode()).isEqualTo(40001);
    assertThat(failure.getMessage()).contains("bad <redacted> for <redacted>, rid: 1")
        .doesNotContain("s3cret-A").doesNotContain("tok3n-B");
    assertThat(outcomes).containsExactly("x=40001");
  }

  @Test
  void aStringErrcodeIsWeChatsErrorWhenLenientAndNoUsableAnswerWhenStrict() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"errcode\":\"40001\",\"errmsg\":\"invalid\"}");

    Throwable lenient = failure(call(upstream(false), List.of()));
    Throwable strict = failure(call(upstream(true), List.of()));

    assertThat(lenient).isInstanceOf(WeChatErrorException.class);
    assertThat(((WeChatErrorException) lenient).errcode()).isEqualTo(40001);
    assertThat(strict).isInstanceOf(WeChatUnreachableException.class)
        .hasMessage("WeChat's answer has an unusable errcode");
    assertThat(outcomes).containsExactly("x=40001", "x=" + CallObserver.UNREACHABLE);
  }

  @Test
  void aFractionalExpiresInIsReadWhenLenientAndRefusedWhenStrict() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"expires_in\":7200.5}");
    JsonUpstream lenient = upstream(false);
    JsonUpstream strict = upstream(true);
    HttpRequest request = HttpRequest.newBuilder(scripted.baseUrl()).timeout(READ).GET().build();

    Duration read = lenient.send("x", () -> request, List.of(), lenient::expiresIn).get();
    Throwable refused = failure(strict.send("x", () -> request, List.of(), strict::expiresIn));

    assertThat(read).isEqualTo(Duration.ofSeconds(7200));
    assertThat(refused).isInstanceOf(WeChatUnreachableException.class)
        .hasMessage("WeChat's answer has no usable expires_in");
  }

  @Test
  void aRequestThatCannotBeBuiltFailsUnreachableNamingOnlyTheEndpoint() throws Exception {
    Throwable failure = failure(upstream(false).send("api_x", () -> {
      throw new IOException("cannot render s3cret-A");
    }, List.of("s3cret-A"), node -> node));

    assertThat(failure).isInstanceOf(WeChatUnreachableException.class)
        .hasMessage("cannot build the api_x request");
    assertThat(outcomes).containsExactly("api_x=" + CallObserver.UNREACHABLE);
  }
}
