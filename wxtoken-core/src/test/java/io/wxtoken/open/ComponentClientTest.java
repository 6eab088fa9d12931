package io.wxtoken.open;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.OpenPlatformSimulator;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ComponentClient} against the Open Platform simulator, and against broken servers. */
class ComponentClientTest {
  private static final String COMPONENT = "wxc0mp0nent000001";
  private static final String SECRET = "c0mp0nentsecret0c0mp0nentsecret0";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String MERCHANT = "wxmerchant0000001";

  record Call(String endpoint, String outcome) {}

  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final OpenPlatformSimulator sim = OpenPlatformSimulator.builder().clock(clock)
      .platform(COMPONENT, SECRET, "msgtoken", AES_KEY).start();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final ComponentClient client = client(sim.baseUrl(), Duration.ofSeconds(5));
  private HttpServer broken;

  @AfterEach
  void stop() {
    sim.close();
    if (broken != null) {
      broken.stop(0);
    }
  }

  private ComponentClient client(URI base, Duration readTimeout) {
    return new ComponentClient(base, Duration.ofSeconds(1), readTimeout,
        (endpoint, outcome, nanos) -> calls.add(new Call(endpoint, outcome)));
  }

  @Test
  void walksTheWholeCredentialChain() throws Exception {
    String ticket = pushedTicket();

    ComponentToken token = get(client.componentToken(COMPONENT, SECRET, ticket));
    PreAuthCode preAuth = get(client.createPreAuthCode(COMPONENT, token.token()));
    String code = sim.authorize(COMPONENT, MERCHANT, preAuth.code()).authorizationCode();
    AuthorizerGrant first = get(client.queryAuth(COMPONENT, token.token(), code));
    AuthorizerGrant second = get(client.authorizerToken(COMPONENT, token.token(), MERCHANT,
        first.refreshToken()));
    AuthorizerPage page = get(client.authorizerList(COMPONENT, token.token(), 0, 500));

    assertThat(token.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(sim.isComponentTokenValid(COMPONENT, token.token())).isTrue();
    assertThat(preAuth.expiresIn()).isEqualTo(Duration.ofSeconds(600));
    assertThat(first.authorizerAppId()).isEqualTo(MERCHANT);
    assertThat(first.refreshToken()).isEqualTo(sim.refreshToken(COMPONENT, MERCHANT));
    assertThat(second.refreshToken()).isEqualTo(first.refreshToken());
    assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(sim.isAuthorizerTokenValid(second.accessToken())).isTrue();
    assertThat(page.totalCount()).isEqualTo(1);
    assertThat(page.authorizers()).singleElement().satisfies(listing -> {
      assertThat(listing.authorizerAppId()).isEqualTo(MERCHANT);
      assertThat(listing.refreshToken()).contains(first.refreshToken());
      assertThat(listing.authTime()).isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    });
    assertThat(calls).extracting(Call::endpoint, Call::outcome).containsExactly(
        tuple("api_component_token", "ok"), tuple("api_create_preauthcode", "ok"),
        tuple("api_query_auth", "ok"), tuple("api_authorizer_token", "ok"),
        tuple("api_get_authorizer_list", "ok"));
  }

  @Test
  void startPushTicketAsksForAPush() throws Exception {
    sim.callbackUrl(COMPONENT, URI.create("http://127.0.0.1:1/never"));
    sim.pushing(COMPONENT, false);

    get(client.startPushTicket(COMPONENT, SECRET));

    assertThat(sim.calls(OpenPlatformSimulator.Endpoint.START_PUSH_TICKET, COMPONENT)).isEqualTo(1);
    assertThat(sim.pushDue()).isEqualTo(1);
  }

  @Test
  void tellsWhatEachRefusalMeans() throws Exception {
    assertVerdict(client.componentToken(COMPONENT, SECRET, "ticket@@@nope"),
        61006, ComponentVerdict.TICKET_INVALID);
    String ticket = pushedTicket();
    assertVerdict(client.componentToken(COMPONENT, "wrong-secret", ticket), 40125,
        ComponentVerdict.BAD_CREDENTIAL);
    assertVerdict(client.componentToken("wxunknown", SECRET, ticket), 61011,
        ComponentVerdict.BAD_CREDENTIAL);
    ComponentToken token = get(client.componentToken(COMPONENT, SECRET, ticket));
    String code = sim.authorize(COMPONENT, MERCHANT, null).authorizationCode();
    AuthorizerGrant grant = get(client.queryAuth(COMPONENT, token.token(), code));
    assertVerdict(client.queryAuth(COMPONENT, token.token(), code), 61009,
        ComponentVerdict.CODE_REJECTED);
    assertVerdict(client.authorizerToken(COMPONENT, token.token(), MERCHANT, "refresh@@@stale"),
        61023, ComponentVerdict.NEEDS_REAUTHORIZATION);
    assertVerdict(client.createPreAuthCode(COMPONENT, "not-a-token"), 40001,
        ComponentVerdict.TOKEN_REJECTED);
    sim.deauthorize(COMPONENT, MERCHANT);
    assertVerdict(client.authorizerToken(COMPONENT, token.token(), MERCHANT, grant.refreshToken()),
        61003, ComponentVerdict.NOT_AUTHORIZED);
    sim.blockIp(COMPONENT, true);
    assertVerdict(client.componentToken(COMPONENT, SECRET, ticket), 61004,
        ComponentVerdict.IP_NOT_WHITELISTED);
    sim.blockIp(COMPONENT, false);
    clock.advance(Duration.ofHours(12));
    assertVerdict(client.componentToken(COMPONENT, SECRET, ticket), 61005,
        ComponentVerdict.TICKET_EXPIRED);
    assertThat(calls).extracting(Call::outcome).contains("61006", "61023", "61004", "61005");
  }

  @Test
  void classifiesErrcodesIntoVerdictsThatSayWhetherToRetry() {
    assertThat(ComponentVerdict.of(-1)).isEqualTo(ComponentVerdict.TRANSIENT);
    assertThat(ComponentVerdict.TRANSIENT.retryable()).isTrue();
    for (int errcode : new int[] {40001, 42001, 61023, 61003, 61004, 61005, 61006, 61009, 40125,
        45009, 12345}) {
      assertThat(ComponentVerdict.of(errcode).retryable()).as("%d", errcode).isFalse();
    }
    assertThat(ComponentVerdict.of(45009)).isEqualTo(ComponentVerdict.QUOTA_EXCEEDED);
    assertThat(ComponentVerdict.of(12345)).isEqualTo(ComponentVerdict.OTHER);
    assertThat(ComponentVerdict.of(new WeChatUnreachableException("x")))
        .isEqualTo(ComponentVerdict.TRANSIENT);
    assertThat(ComponentVerdict.of(new java.util.concurrent.CompletionException(
        new WeChatErrorException(61023, "refresh_token is invalid"))))
        .isEqualTo(ComponentVerdict.NEEDS_REAUTHORIZATION);
    assertThat(ComponentVerdict.of(new IllegalStateException())).isEqualTo(ComponentVerdict.OTHER);
    assertThat(ComponentVerdict.IP_NOT_WHITELISTED.advice()).contains("whitelist");
    assertThat(ComponentVerdict.TICKET_EXPIRED.advice()).contains("api_start_push_ticket");
  }

  @Test
  void neverEchoesACredentialWeChatQuotesBack() throws Exception {
    String secret = "s3cr3t-s3cr3t-s3cr3t";
    String ticket = "ticket@@@quoted";
    broken = serve(200, "{\"errcode\":40125,\"errmsg\":\"invalid appsecret " + secret + " for ticket "
        + ticket + "\"}", null);

    Throwable failure = catchThrowable(() -> get(client(base(), Duration.ofSeconds(5))
        .componentToken(COMPONENT, secret, ticket)));

    assertThat(failure).isInstanceOf(WeChatErrorException.class);
    assertThat(failure.getMessage()).contains("40125").doesNotContain(secret).doesNotContain(ticket);
  }

  @Test
  void anythingButWeChatsJsonIsUnreachable() throws Exception {
    for (String body : new String[] {"<html>busy</html>", "[1,2]", "{\"component_access_token\":\"\","
        + "\"expires_in\":7200}", "{\"component_access_token\":\"T\"}",
        "{\"component_access_token\":\"T\",\"expires_in\":-5}"}) {
      broken = serve(200, body, null);
      Throwable failure = catchThrowable(() -> get(client(base(), Duration.ofSeconds(5))
          .componentToken(COMPONENT, SECRET, "t")));
      assertThat(failure).as(body).isInstanceOf(WeChatUnreachableException.class);
      broken.stop(0);
    }
    broken = serve(503, "{}", null);
    assertThat(catchThrowable(() -> get(client(base(), Duration.ofSeconds(5))
        .componentToken(COMPONENT, SECRET, "t")))).isInstanceOf(WeChatUnreachableException.class)
        .hasMessageContaining("503");
    broken.stop(0);
    broken = serve(200, "{\"total_count\":1,\"list\":[{\"authorizer_appid\":\"wx1\"}]}", null);
    assertThat(catchThrowable(() -> get(client(base(), Duration.ofSeconds(5))
        .authorizerList(COMPONENT, "tok", 0, 10)))).isInstanceOf(WeChatUnreachableException.class);
    assertThat(calls).extracting(Call::outcome).containsOnly("unreachable");
  }

  @Test
  void aConnectionRefusedOrAStalledAnswerIsUnreachableWithinTheTimeout() throws Exception {
    Throwable refused = catchThrowable(() -> get(client(URI.create("http://127.0.0.1:1"),
        Duration.ofSeconds(5)).componentToken(COMPONENT, SECRET, "t")));
    assertThat(refused).isInstanceOf(WeChatUnreachableException.class);

    CountDownLatch release = new CountDownLatch(1);
    broken = serve(200, "{}", release);
    try {
      Throwable stalled = catchThrowable(() -> get(client(base(), Duration.ofMillis(300))
          .componentToken(COMPONENT, SECRET, "t")));
      assertThat(stalled).isInstanceOf(WeChatUnreachableException.class)
          .hasMessageContaining("timed out");
    } finally {
      release.countDown();
    }
  }

  @Test
  void refusesAPageSizeWeChatWouldRefuse() {
    assertThatThrownBy(() -> client.authorizerList(COMPONENT, "t", 0, 501))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.authorizerList(COMPONENT, "t", -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesHideTheirCredentials() {
    assertThat(new ComponentToken("TOKEN", Duration.ofSeconds(1)).toString()).doesNotContain("TOKEN");
    assertThat(new PreAuthCode("CODE", Duration.ofSeconds(1)).toString()).doesNotContain("CODE");
    assertThat(new AuthorizerGrant("wx1", "ACCESS", Duration.ofSeconds(1), "REFRESH").toString())
        .doesNotContain("ACCESS").doesNotContain("REFRESH");
    assertThat(new AuthorizerPage.Listing("wx1", java.util.Optional.of("REFRESH"), clock.instant())
        .toString()).doesNotContain("REFRESH");
  }

  private String pushedTicket() {
    // WeChat mints a ticket whether or not its push arrives; a closed port stands for a dead callback.
    sim.callbackUrl(COMPONENT, URI.create("http://127.0.0.1:1/callback"));
    sim.pushTicket(COMPONENT);
    return sim.latestTicket(COMPONENT);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + broken.getAddress().getPort());
  }

  /** A server answering every request with {@code body}, after {@code hold} opens if given. */
  private static HttpServer serve(int status, String body, CountDownLatch hold) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      try {
        if (hold != null) {
          hold.await(10, TimeUnit.SECONDS);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        exchange.close();
      }
    });
    server.start();
    return server;
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static void assertVerdict(CompletableFuture<?> future, int errcode,
      ComponentVerdict verdict) {
    Throwable failure = catchThrowable(() -> get(future));
    assertThat(failure).isInstanceOfSatisfying(WeChatErrorException.class,
        e -> assertThat(e.errcode()).isEqualTo(errcode));
    assertThat(ComponentVerdict.of(failure)).isEqualTo(verdict);
  }
}
