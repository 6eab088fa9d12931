package io.wxtoken.wechat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches access tokens, and API tickets obtained with them, from WeChat over the JDK's
 * {@link HttpClient}.
 *
 * <p>One call is one upstream request: no caching and no retries. The returned future completes
 * with a {@link WeChatToken} (or {@link WeChatTicket}), or exceptionally with a
 * {@link WeChatErrorException} (WeChat answered with an {@code errcode}) or a
 * {@link WeChatUnreachableException} (no usable answer, including a timeout). It always completes
 * within about the read timeout. No exception message contains the secret or access token sent.
 *
 * <p>Thread-safe; one instance serves every app.
 */
public final class WeChatClient {
  /** WeChat's token and ticket answers are under 1 KiB; anything far larger is not WeChat. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final JsonUpstream upstream;
  private final String baseUrl;
  private final TokenApi api;
  private final Duration readTimeout;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUrl WeChat's API root, e.g. {@code https://api.weixin.qq.com}
   * @param api which token endpoint to call
   * @param connectTimeout bound on establishing a connection
   * @param readTimeout bound on the whole exchange once connected
   */
  public WeChatClient(URI baseUrl, TokenApi api, Duration connectTimeout, Duration readTimeout) {
    this(baseUrl, api, connectTimeout, readTimeout, CallObserver.NONE);
  }

  /** As above, with every call's outcome told to {@code observer}. */
  public WeChatClient(URI baseUrl, TokenApi api, Duration connectTimeout, Duration readTimeout,
      CallObserver observer) {
    String base = baseUrl.toString();
    this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.api = Objects.requireNonNull(api);
    this.readTimeout = Objects.requireNonNull(readTimeout);
    this.upstream = new JsonUpstream("WeChat", connectTimeout, readTimeout, MAX_RESPONSE_BYTES,
        false, observer, System::nanoTime);
  }

  /** The endpoint this client calls. */
  public TokenApi api() {
    return api;
  }

  /** Asks WeChat for the app's token (normal mode for the stable API). */
  public CompletableFuture<WeChatToken> fetchToken(String appId, String secret) {
    return fetchToken(appId, secret, false);
  }

  /**
   * Asks WeChat for the app's token. With {@code forceRefresh}, the stable API issues a new token
   * ({@code force_refresh: true}, which WeChat allows 20 times a day, 30 s apart); the classic API
   * issues a new token on every call anyway.
   */
  public CompletableFuture<WeChatToken> fetchToken(String appId, String secret, boolean forceRefresh) {
    HttpRequest request = api == TokenApi.STABLE
        ? stableTokenRequest(appId, secret, forceRefresh)
        : classicTokenRequest(appId, secret);
    return upstream.send(api == TokenApi.STABLE ? "stable_token" : "token", () -> request,
        Collections.singletonList(secret), this::readToken);
  }

  /**
   * Asks WeChat for an API ticket: {@code GET /cgi-bin/ticket/getticket?access_token=..&type=..}
   * (the same for either {@link TokenApi}). Timeouts, body bounds and the classification of
   * failures are those of {@link #fetchToken(String, String, boolean)}, and the access token is
   * kept out of every message the way the secret is there.
   *
   * <p>WeChat's errcodes here concern the access token, not the AppSecret: 40001 means it is
   * invalid or not the latest, 42001 that it expired, 41001 that it is missing, and 40097 means an
   * invalid {@code type}. {@link WeChatErrorException#isInvalidSecret()} does not apply.
   *
   * <p>WeChat hands out the same ticket again while it is valid and always states the full
   * lifetime, so {@link WeChatTicket#expiresIn()} is an upper bound, not the true remaining life.
   *
   * @param accessToken a valid access token of the app whose ticket is wanted
   * @param type {@code jsapi} for the JS-SDK ticket or {@code wx_card} for the card ticket
   * @return the ticket, or a future failed as described above
   * @throws NullPointerException if either argument is null
   */
  public CompletableFuture<WeChatTicket> fetchTicket(String accessToken, String type) {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(type, "type");
    String uri = baseUrl + "/cgi-bin/ticket/getticket?access_token="
        + URLEncoder.encode(accessToken, StandardCharsets.UTF_8)
        + "&type=" + URLEncoder.encode(type, StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).timeout(readTimeout).GET().build();
    return upstream.send("getticket", () -> request, List.of(accessToken), this::readTicket);
  }

  private HttpRequest stableTokenRequest(String appId, String secret, boolean forceRefresh) {
    ObjectNode body = json.createObjectNode()
        .put("grant_type", "client_credential")
        .put("appid", appId)
        .put("secret", secret)
        .put("force_refresh", forceRefresh);
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render stable_token request", e);
    }
    return HttpRequest.newBuilder(URI.create(baseUrl + "/cgi-bin/stable_token"))
        .timeout(readTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
  }

  private HttpRequest classicTokenRequest(String appId, String secret) {
    String uri = baseUrl + "/cgi-bin/token?grant_type=client_credential&appid="
        + URLEncoder.encode(appId, StandardCharsets.UTF_8)
        + "&secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return HttpRequest.newBuilder(URI.create(uri)).timeout(readTimeout).GET().build();
  }

  private WeChatToken readToken(JsonNode node) {
    return new WeChatToken(upstream.text(node, "access_token"), upstream.expiresIn(node));
  }

  private WeChatTicket readTicket(JsonNode node) {
    return new WeChatTicket(upstream.text(node, "ticket"), upstream.expiresIn(node));
  }
}
