package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.ticket.JsSdkSignature;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JS-SDK tickets: cached centrally, served by the Authing-style API, the facade and the signer. */
class TicketApiTest {
  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private Reply ticket(String type) {
    return h.post("/api/v3/get-wechat-jsapi-ticket", "application/json", "{\"appId\":\"" + APP_ID
        + "\",\"appSecret\":\"" + SECRET + "\"" + (type == null ? "" : ",\"type\":\"" + type + "\"")
        + "}");
  }

  /** The refresh window of a 7200 s ticket: its last lifetime/30 (RefreshPolicy). */
  private static final long REFRESH_WINDOW_SECONDS = 240;

  private void awaitTicketCalls(long calls) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (h.wechat.calls(Endpoint.TICKET) < calls && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(h.wechat.calls(Endpoint.TICKET)).as("the background refresh reached WeChat")
        .isGreaterThanOrEqualTo(calls);
  }

  private Reply facade(String query) {
    return h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/ticket/getticket?" + query)).GET().build());
  }

  @Test
  void aTicketIsFetchedOnceAndServedFromTheCache() {
    Reply first = ticket(null);
    List<CompletableFuture<Reply>> more = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      more.add(CompletableFuture.supplyAsync(() -> ticket("jsapi")));
    }

    String value = first.body().path("data").path("ticket").asText();
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(h.wechat.isTicketValid(value)).isTrue();
    assertThat(first.body().path("data").path("expiresAt").asLong())
        .isEqualTo(h.clock.instant().getEpochSecond() + 7200);
    more.forEach(r -> assertThat(r.join().body().path("data").path("ticket").asText()).isEqualTo(value));
    assertThat(h.wechat.calls(Endpoint.TICKET)).isEqualTo(1);
    assertThat(ticket("wx_card").body().path("data").path("ticket").asText()).isNotEqualTo(value);
    assertThat(h.wechat.calls(Endpoint.TICKET)).isEqualTo(2);
  }

  @Test
  void ticketsStayLiveAcrossRefreshCycles() throws InterruptedException {
    long calls = 0;
    String previous = null;
    for (int hour = 0; hour < 12; hour++) { // six 7200 s lifetimes, an hour at a time
      Reply reply = ticket(null);
      String value = reply.body().path("data").path("ticket").asText();
      assertThat(h.wechat.isTicketValid(value)).as("ticket live at +%d h", hour).isTrue();
      if (!value.equals(previous)) {
        calls++;
        previous = value;
      }
      h.clock.advance(Duration.ofMinutes(59));
      long before = h.wechat.calls(Endpoint.TICKET);
      Reply inWindow = ticket(null); // now and then inside the refresh window: refreshed behind
      if (h.clock.instant().getEpochSecond()
          >= inWindow.body().path("data").path("expiresAt").asLong() - REFRESH_WINDOW_SECONDS) {
        // Let that refresh reach WeChat before time moves on: one that arrived a minute later
        // would find the token it carries expired and refresh that too (a second ticket call),
        // which is right, but would make the count below depend on the machine's speed.
        awaitTicketCalls(before + 1);
      }
      h.clock.advance(Duration.ofMinutes(1));
    }
    assertThat(h.wechat.calls(Endpoint.TICKET)).as("one fetch per lifetime").isBetween(6L, 8L);
  }

  @Test
  void aTicketFetchThatFindsTheTokenReplacedRefreshesItOnceAndRetries() throws Exception {
    String token = h.token(APP_ID, SECRET).accessToken();
    // Somebody else force-refreshes at WeChat; past the overlap our cached token is dead.
    h.http().send(HttpRequest.newBuilder(h.wechat.baseUrl().resolve("/cgi-bin/stable_token"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credential\",\"appid\":\""
            + APP_ID + "\",\"secret\":\"" + SECRET + "\",\"force_refresh\":true}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    h.clock.advance(Duration.ofSeconds(301));
    assertThat(h.wechat.isValid(token)).isFalse();

    Reply reply = ticket(null);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(h.wechat.isTicketValid(reply.body().path("data").path("ticket").asText())).isTrue();
    assertThat(h.wechat.calls(Endpoint.TICKET)).as("40001, then one retry").isEqualTo(2);
    String fresh = h.token(APP_ID, SECRET).accessToken();
    assertThat(fresh).isNotEqualTo(token);
    assertThat(h.wechat.isValid(fresh)).isTrue();
  }

  @Test
  void transientTicketErrorsAreRetriedAwayAndPersistentOnesReported() {
    h.token(APP_ID, SECRET);
    h.wechat.faults().failNext(2, -1, "system error");

    assertThat(ticket(null).statusCode()).isEqualTo(200);
    assertThat(h.wechat.calls(Endpoint.TICKET)).as("two failures, then the ticket").isEqualTo(3);

    h.wechat.faults().serverErrorRate(1.0);
    Reply down = ticket("wx_card");
    assertThat(down.statusCode()).isEqualTo(601);
    assertThat(down.message()).contains("wx_card");
    assertThat(h.wechat.calls(Endpoint.TICKET)).as("one attempt and two retries").isEqualTo(6);
  }

  @Test
  void theSignatureIsWeChatsOverTheCachedTicket() {
    Reply ticket = ticket(null);
    String url = "https://example.com/page?x=1#frag";

    Reply signed = h.post("/api/v3/sign-wechat-jssdk", "application/json", "{\"appId\":\"" + APP_ID
        + "\",\"appSecret\":\"" + SECRET + "\",\"url\":\"" + url + "\"}");

    var data = signed.body().path("data");
    assertThat(signed.statusCode()).isEqualTo(200);
    assertThat(data.path("appId").asText()).isEqualTo(APP_ID);
    assertThat(data.path("timestamp").asLong()).isEqualTo(h.clock.instant().getEpochSecond());
    assertThat(data.path("nonceStr").asText()).matches("[A-Za-z0-9]{16}");
    assertThat(data.path("signature").asText()).isEqualTo(JsSdkSignature.sign(APP_ID,
        ticket.body().path("data").path("ticket").asText(), "https://example.com/page?x=1",
        data.path("timestamp").asLong(), data.path("nonceStr").asText()).signature());
    assertThat(h.wechat.calls(Endpoint.TICKET)).isEqualTo(1);
  }

  @Test
  void badTicketAndSignRequestsAreRefusedClearly() {
    assertThat(ticket("card").message()).isEqualTo("type must be jsapi or wx_card");
    Reply noUrl = h.post("/api/v3/sign-wechat-jssdk", "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}");
    assertThat(noUrl.statusCode()).isEqualTo(400);
    assertThat(noUrl.message()).isEqualTo("url is required");
    Reply badUrl = h.post("/api/v3/sign-wechat-jssdk", "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\",\"url\":\"ftp://x\"}");
    assertThat(badUrl.message()).contains("url must be the page's http(s) URL");
    Reply wrongSecret = h.post("/api/v3/get-wechat-jsapi-ticket", "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"ffffffffffffffffffffffffffffffff\"}");
    assertThat(wrongSecret.statusCode()).isEqualTo(403);
    assertThat(h.wechat.calls(Endpoint.TICKET)).isZero();
  }

  @Test
  void theFacadeServesTicketsForTokensItIssued() {
    String token = h.token(APP_ID, SECRET).accessToken();
    String ticket = ticket(null).body().path("data").path("ticket").asText();
    h.clock.advance(Duration.ofSeconds(600));

    Reply reply = facade("access_token=" + token + "&type=jsapi");

    assertThat(reply.body().path("errcode").asInt()).isZero();
    assertThat(reply.body().path("errmsg").asText()).isEqualTo("ok");
    assertThat(reply.body().path("ticket").asText()).isEqualTo(ticket);
    assertThat(reply.body().path("expires_in").asLong()).isEqualTo(7200 - 600);
    assertThat(h.wechat.calls(Endpoint.TICKET)).isEqualTo(1);
  }

  @Test
  void theFacadeRefusesInWeChatsTerms() {
    String token = h.token(APP_ID, SECRET).accessToken();

    assertThat(facade("type=jsapi").body().path("errcode").asInt()).isEqualTo(41001);
    assertThat(facade("access_token=" + token + "&type=card").body().path("errcode").asInt())
        .isEqualTo(40097);
    Reply unknown = facade("access_token=not-one-of-ours&type=jsapi");
    assertThat(unknown.body().path("errcode").asInt()).isEqualTo(40001);
    assertThat(unknown.body().path("errmsg").asText()).contains("not issued by wxtoken");
    h.clock.advance(Duration.ofSeconds(7201));
    assertThat(facade("access_token=" + token + "&type=jsapi").body().path("errcode").asInt())
        .isEqualTo(42001);
    assertThat(h.wechat.calls(Endpoint.TICKET)).isZero();
  }
}
