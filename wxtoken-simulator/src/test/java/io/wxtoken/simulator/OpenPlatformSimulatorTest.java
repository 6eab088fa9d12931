package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Open Platform simulator over real HTTP: pushes, tokens, the authorization flow, errors. */
class OpenPlatformSimulatorTest {
  private static final String COMPONENT = "wxc0mp0nent000001";
  private static final String SECRET = "c0mp0nentsecret0c0mp0nentsecret0";
  private static final String TOKEN = "msgtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String MERCHANT = "wxmerchant0000001";

  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final OpenPlatformSimulator sim = OpenPlatformSimulator.builder().clock(clock)
      .platform(COMPONENT, SECRET, TOKEN, AES_KEY).start();
  private final Callback callback = new Callback();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void stop() {
    sim.close();
    callback.close();
  }

  @Test
  void pushesAnEncryptedSignedTicketEveryTenMinutesOfTheClock() throws Exception {
    sim.callbackUrl(COMPONENT, callback.url());

    assertThat(sim.pushDue()).isEqualTo(1);
    assertThat(sim.pushDue()).isZero();
    clock.advance(Duration.ofMinutes(9).plusSeconds(59));
    assertThat(sim.pushDue()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sim.pushDue()).isEqualTo(1);

    assertThat(callback.received).hasSize(2);
    Map<String, String> event = callback.event(1);
    assertThat(event).containsEntry("AppId", COMPONENT)
        .containsEntry("InfoType", "component_verify_ticket")
        .containsEntry("ComponentVerifyTicket", sim.latestTicket(COMPONENT))
        .containsEntry("CreateTime", Long.toString(clock.instant().getEpochSecond()));
    assertThat(sim.pushes()).isEqualTo(2);
    assertThat(sim.acknowledgedPushes()).isEqualTo(2);
    assertThat(sim.ticketsIssued(COMPONENT)).isEqualTo(2);
  }

  @Test
  void countsAPushNotAnsweredSuccessAsUnacknowledged() {
    sim.callbackUrl(COMPONENT, callback.url());
    callback.answer = "fail";

    assertThat(sim.pushTicket(COMPONENT)).isFalse();
    assertThat(sim.acknowledgedPushes()).isZero();
    // The ticket exists all the same: WeChat minted it, the platform just did not take it.
    assertThat(post("api_component_token", Map.of("component_appid", COMPONENT,
        "component_appsecret", SECRET, "component_verify_ticket", sim.latestTicket(COMPONENT)))
        .has("component_access_token")).isTrue();
  }

  @Test
  void startPushTicketMakesAPushDueAtOnce() {
    sim.callbackUrl(COMPONENT, callback.url());
    sim.pushing(COMPONENT, false);
    assertThat(sim.pushDue()).isZero();

    JsonNode wrong = post("api_start_push_ticket",
        Map.of("component_appid", COMPONENT, "component_secret", "wrong"));
    assertThat(wrong.path("errcode").asInt()).isEqualTo(40125);
    assertThat(sim.pushDue()).isZero();

    JsonNode ok = post("api_start_push_ticket",
        Map.of("component_appid", COMPONENT, "component_secret", SECRET));
    assertThat(ok.path("errcode").asInt()).isZero();
    assertThat(ok.path("errmsg").asText()).isEqualTo("ok");
    assertThat(sim.pushDue()).isEqualTo(1);
    assertThat(callback.event(0)).containsEntry("InfoType", "component_verify_ticket");
    assertThat(sim.calls(OpenPlatformSimulator.Endpoint.START_PUSH_TICKET, COMPONENT)).isEqualTo(2);
  }

  @Test
  void componentTokenNeedsAPushedTicketStillValid() {
    sim.callbackUrl(COMPONENT, callback.url());
    assertThat(errcode(componentToken("ticket@@@never-pushed"))).isEqualTo(61006);
    sim.pushTicket(COMPONENT);
    String ticket = sim.latestTicket(COMPONENT);

    JsonNode token = componentToken(ticket);
    assertThat(token.path("component_access_token").asText()).isNotEmpty();
    assertThat(token.path("expires_in").asLong()).isEqualTo(7200);
    assertThat(errcode(post("api_component_token", Map.of("component_appid", COMPONENT,
        "component_appsecret", "wrong", "component_verify_ticket", ticket)))).isEqualTo(40125);

    // An older ticket keeps working while it is under 12 hours old, a newer one or not.
    clock.advance(Duration.ofHours(11));
    sim.pushTicket(COMPONENT);
    assertThat(componentToken(ticket).has("component_access_token")).isTrue();
    clock.advance(Duration.ofHours(1));
    assertThat(errcode(componentToken(ticket))).isEqualTo(61005);
    assertThat(componentToken(sim.latestTicket(COMPONENT)).has("component_access_token")).isTrue();
    assertThat(sim.componentTokensIssued(COMPONENT)).isEqualTo(3);
  }

  @Test
  void aComponentTokenIsCheckedOnEveryCallThatCarriesOne() {
    String token = freshComponentToken();
    assertThat(post("api_create_preauthcode", token, Map.of("component_appid", COMPONENT))
        .path("expires_in").asLong()).isEqualTo(600);
    assertThat(errcode(post("api_create_preauthcode", "bogus", Map.of("component_appid", COMPONENT))))
        .isEqualTo(40001);
    assertThat(errcode(post("api_create_preauthcode", null, Map.of("component_appid", COMPONENT))))
        .isEqualTo(41001);
    // A newer token replaces it after the overlap; an old one expires.
    String newer = componentToken(sim.latestTicket(COMPONENT)).path("component_access_token").asText();
    clock.advance(Duration.ofSeconds(301));
    assertThat(errcode(post("api_create_preauthcode", token, Map.of("component_appid", COMPONENT))))
        .isEqualTo(40001);
    clock.advance(Duration.ofSeconds(7200));
    assertThat(errcode(post("api_create_preauthcode", newer, Map.of("component_appid", COMPONENT))))
        .isEqualTo(42001);
  }

  @Test
  void authorizationYieldsTheRefreshTokenOnceAndItMintsAuthorizerTokens() {
    String token = freshComponentToken();
    String preAuthCode = post("api_create_preauthcode", token, Map.of("component_appid", COMPONENT))
        .path("pre_auth_code").asText();

    OpenPlatformSimulator.Authorization authorization =
        sim.authorize(COMPONENT, MERCHANT, preAuthCode);

    assertThat(authorization.acknowledged()).isTrue();
    Map<String, String> event = callback.event(callback.received.size() - 1);
    assertThat(event).containsEntry("InfoType", "authorized")
        .containsEntry("AuthorizerAppid", MERCHANT)
        .containsEntry("AuthorizationCode", authorization.authorizationCode())
        .containsEntry("PreAuthCode", preAuthCode)
        .containsEntry("AuthorizationCodeExpiredTime",
            Long.toString(clock.instant().getEpochSecond() + 3600));
    JsonNode info = queryAuth(token, authorization.authorizationCode()).path("authorization_info");
    assertThat(info.path("authorizer_appid").asText()).isEqualTo(MERCHANT);
    assertThat(info.path("expires_in").asLong()).isEqualTo(7200);
    assertThat(info.path("func_info").isArray()).isTrue();
    String refresh = info.path("authorizer_refresh_token").asText();
    String first = info.path("authorizer_access_token").asText();
    assertThat(sim.isAuthorizerTokenValid(first)).isTrue();
    // The code is good once: the refresh token is handed out once.
    assertThat(errcode(queryAuth(token, authorization.authorizationCode()))).isEqualTo(61009);
    // A pre-auth code is good once too.
    assertThatThrownBy(() -> sim.authorize(COMPONENT, "wxother", preAuthCode))
        .isInstanceOf(IllegalArgumentException.class);

    JsonNode refreshed = authorizerToken(token, MERCHANT, refresh);
    String second = refreshed.path("authorizer_access_token").asText();
    assertThat(second).isNotEqualTo(first);
    assertThat(refreshed.path("authorizer_refresh_token").asText()).isEqualTo(refresh);
    assertThat(refreshed.path("expires_in").asLong()).isEqualTo(7200);
    assertThat(sim.isAuthorizerTokenValid(first)).isTrue();
    clock.advance(Duration.ofSeconds(300));
    assertThat(sim.isAuthorizerTokenValid(first)).isFalse();
    assertThat(sim.isAuthorizerTokenValid(second)).isTrue();

    assertThat(errcode(authorizerToken(token, MERCHANT, refresh + "x"))).isEqualTo(61023);
    assertThat(errcode(authorizerToken(token, "wxnotauthorized", refresh))).isEqualTo(61003);
    assertThat(sim.authorizerTokensIssued(COMPONENT)).isEqualTo(2);
    assertThat(sim.calls(OpenPlatformSimulator.Endpoint.AUTHORIZER_TOKEN, COMPONENT)).isEqualTo(3);
  }

  @Test
  void anAuthorizationCodeExpiresAfterAnHour() {
    String token = freshComponentToken();
    String code = sim.authorize(COMPONENT, MERCHANT, null).authorizationCode();
    clock.advance(Duration.ofHours(1));
    token = componentToken(sim.latestTicket(COMPONENT)).path("component_access_token").asText();

    assertThat(errcode(queryAuth(token, code))).isEqualTo(61010);
  }

  @Test
  void reauthorizationReplacesTheRefreshTokenAndEndsTheOldTokens() {
    String token = freshComponentToken();
    JsonNode first = queryAuth(token, sim.authorize(COMPONENT, MERCHANT, null).authorizationCode())
        .path("authorization_info");
    String oldRefresh = first.path("authorizer_refresh_token").asText();

    OpenPlatformSimulator.Authorization again = sim.authorize(COMPONENT, MERCHANT, null);

    assertThat(callback.event(callback.received.size() - 1))
        .containsEntry("InfoType", "updateauthorized").containsEntry("AuthorizerAppid", MERCHANT);
    assertThat(sim.isAuthorizerTokenValid(first.path("authorizer_access_token").asText())).isFalse();
    assertThat(errcode(authorizerToken(token, MERCHANT, oldRefresh))).isEqualTo(61023);
    String newRefresh = queryAuth(token, again.authorizationCode()).path("authorization_info")
        .path("authorizer_refresh_token").asText();
    assertThat(newRefresh).isNotEqualTo(oldRefresh).isEqualTo(sim.refreshToken(COMPONENT, MERCHANT));
    assertThat(authorizerToken(token, MERCHANT, newRefresh).has("authorizer_access_token")).isTrue();
  }

  @Test
  void deauthorizationPushesUnauthorizedAndEndsEverythingAtOnce() {
    String token = freshComponentToken();
    JsonNode info = queryAuth(token, sim.authorize(COMPONENT, MERCHANT, null).authorizationCode())
        .path("authorization_info");

    assertThat(sim.deauthorize(COMPONENT, MERCHANT)).isTrue();

    assertThat(callback.event(callback.received.size() - 1))
        .containsEntry("InfoType", "unauthorized").containsEntry("AuthorizerAppid", MERCHANT);
    assertThat(sim.isAuthorizerTokenValid(info.path("authorizer_access_token").asText())).isFalse();
    assertThat(errcode(authorizerToken(token, MERCHANT,
        info.path("authorizer_refresh_token").asText()))).isEqualTo(61003);
    assertThatThrownBy(() -> sim.deauthorize(COMPONENT, MERCHANT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listsAuthorizersFiveHundredAPageWithTheirRefreshTokens() {
    String token = freshComponentToken();
    sim.callbackUrl(COMPONENT, null); // no pushes: the codes are exchanged here
    for (int i = 0; i < 1001; i++) {
      String code = sim.authorize(COMPONENT, String.format("wxm%014d", i), null).authorizationCode();
      if (i % 50 == 0) {
        queryAuth(token, code);
      }
      clock.advance(Duration.ofMillis(1));
    }

    Set<String> seen = new HashSet<>();
    int[] sizes = new int[3];
    for (int page = 0; page < 3; page++) {
      JsonNode answer = post("api_get_authorizer_list", token,
          Map.of("component_appid", COMPONENT, "offset", page * 500, "count", 500));
      assertThat(answer.path("total_count").asInt()).isEqualTo(1001);
      sizes[page] = answer.path("list").size();
      for (JsonNode item : answer.path("list")) {
        seen.add(item.path("authorizer_appid").asText());
        String expected = sim.refreshToken(COMPONENT, item.path("authorizer_appid").asText());
        assertThat(item.path("refresh_token").asText()).isEqualTo(expected == null ? "" : expected);
        assertThat(item.path("auth_time").asLong()).isPositive();
      }
    }
    assertThat(sizes).containsExactly(500, 500, 1);
    assertThat(seen).hasSize(1001);
    assertThat(sim.refreshToken(COMPONENT, "wxm00000000000050")).startsWith("refreshtoken@@@");
    assertThat(sim.refreshToken(COMPONENT, "wxm00000000000007")).isNull();
    for (int bad : new int[] {0, 501, -1}) {
      assertThat(errcode(post("api_get_authorizer_list", token,
          Map.of("component_appid", COMPONENT, "offset", 0, "count", bad)))).isEqualTo(40097);
    }
  }

  @Test
  void answers61004OnEveryEndpointWhileTheIpIsNotWhitelisted() {
    String token = freshComponentToken();
    sim.blockIp(COMPONENT, true);

    for (String endpoint : List.of("api_start_push_ticket", "api_component_token",
        "api_create_preauthcode", "api_query_auth", "api_authorizer_token",
        "api_get_authorizer_list")) {
      JsonNode answer = post(endpoint, token, Map.of("component_appid", COMPONENT,
          "component_secret", SECRET, "component_appsecret", SECRET, "offset", 0, "count", 10,
          "component_verify_ticket", sim.latestTicket(COMPONENT)));
      assertThat(errcode(answer)).as(endpoint).isEqualTo(61004);
      assertThat(answer.path("errmsg").asText()).isEqualTo("access clientip is not registered");
    }
    sim.blockIp(COMPONENT, false);
    assertThat(componentToken(sim.latestTicket(COMPONENT)).has("component_access_token")).isTrue();
  }

  @Test
  void refusesMalformedRequestsAndUnknownPlatforms() throws Exception {
    assertThat(errcode(post("api_component_token", Map.of("component_appid", "wxunknown"))))
        .isEqualTo(61011);
    assertThat(errcode(post("api_component_token", Map.of("component_secret", SECRET))))
        .isEqualTo(61011);
    HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(
            URI.create(sim.baseUrl() + "/cgi-bin/component/api_component_token"))
        .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(json.readTree(notJson.body()).path("errcode").asInt()).isEqualTo(47001);
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(
            URI.create(sim.baseUrl() + "/cgi-bin/component/api_component_token")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(json.readTree(get.body()).path("errcode").asInt()).isEqualTo(43002);
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
            URI.create(sim.baseUrl() + "/cgi-bin/component/api_component_tokenX"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void pushesOnlyToLoopback() {
    assertThatThrownBy(() -> sim.callbackUrl(COMPONENT, URI.create("http://192.0.2.1/callback")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sim.callbackUrl(COMPONENT, URI.create("file:///etc/passwd")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sim.pushTicket(COMPONENT)).isInstanceOf(IllegalStateException.class);
  }

  // ---- helpers ----

  private String freshComponentToken() {
    sim.callbackUrl(COMPONENT, callback.url());
    sim.pushTicket(COMPONENT);
    return componentToken(sim.latestTicket(COMPONENT)).path("component_access_token").asText();
  }

  private JsonNode componentToken(String ticket) {
    return post("api_component_token", Map.of("component_appid", COMPONENT,
        "component_appsecret", SECRET, "component_verify_ticket", ticket));
  }

  private JsonNode queryAuth(String token, String code) {
    return post("api_query_auth", token,
        Map.of("component_appid", COMPONENT, "authorization_code", code));
  }

  private JsonNode authorizerToken(String token, String authorizer, String refresh) {
    return post("api_authorizer_token", token, Map.of("component_appid", COMPONENT,
        "authorizer_appid", authorizer, "authorizer_refresh_token", refresh));
  }

  private static int errcode(JsonNode answer) {
    return answer.path("errcode").asInt();
  }

  private JsonNode post(String endpoint, Map<String, ?> body) {
    return post(endpoint, null, body);
  }

  private JsonNode post(String endpoint, String componentToken, Map<String, ?> body) {
    String url = sim.baseUrl() + "/cgi-bin/component/" + endpoint
        + (componentToken == null ? "" : "?component_access_token=" + componentToken);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A platform's callback endpoint: records what WeChat pushed and answers {@code answer}. */
  private static final class Callback implements AutoCloseable {
    private static final Pattern ELEMENT =
        Pattern.compile("<(\\w+)>(?:<!\\[CDATA\\[(.*?)]]>|([^<]*))</\\1>");

    final List<String[]> received = new CopyOnWriteArrayList<>();
    volatile String answer = "success";
    private final HttpServer server;

    Callback() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      server.createContext("/callback", exchange -> {
        received.add(new String[] {exchange.getRequestURI().getRawQuery(),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
        byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
      });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/callback");
    }

    /** The i-th push, its signatures checked and its message decrypted, as element → text. */
    Map<String, String> event(int i) {
      String[] push = received.get(i);
      Map<String, String> query = new HashMap<>();
      for (String pair : push[0].split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(kv[0], kv[1]);
      }
      Map<String, String> envelope = elements(push[1]);
      assertThat(envelope).containsEntry("AppId", COMPONENT);
      String encrypted = envelope.get("Encrypt");
      assertThat(query).containsEntry("encrypt_type", "aes")
          .containsEntry("msg_signature", sha1(TOKEN, query.get("timestamp"), query.get("nonce"), encrypted))
          .containsEntry("signature", sha1(TOKEN, query.get("timestamp"), query.get("nonce")));
      return elements(decrypt(encrypted));
    }

    private static Map<String, String> elements(String xml) {
      Map<String, String> out = new HashMap<>();
      Matcher m = ELEMENT.matcher(xml);
      while (m.find()) {
        out.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
      }
      return out;
    }

    private static String decrypt(String encrypted) {
      try {
        byte[] key = Base64.getDecoder().decode(AES_KEY + "=");
        Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
            new IvParameterSpec(Arrays.copyOf(key, 16)));
        byte[] plain = cipher.doFinal(Base64.getDecoder().decode(encrypted));
        int pad = plain[plain.length - 1];
        assertThat(pad).isBetween(1, 32);
        int length = ByteBuffer.wrap(plain, 16, 4).getInt();
        String appId = new String(plain, 20 + length, plain.length - pad - 20 - length,
            StandardCharsets.UTF_8);
        assertThat(appId).isEqualTo(COMPONENT);
        return new String(plain, 20, length, StandardCharsets.UTF_8);
      } catch (GeneralSecurityException e) {
        throw new AssertionError(e);
      }
    }

    private static String sha1(String... parts) {
      String[] sorted = parts.clone();
      Arrays.sort(sorted);
      try {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (String p : sorted) {
          sha1.update(p.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha1.digest());
      } catch (GeneralSecurityException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
