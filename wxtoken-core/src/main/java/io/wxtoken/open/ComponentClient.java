package io.wxtoken.open;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wxtoken.wechat.CallObserver;
import io.wxtoken.wechat.JsonUpstream;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Calls the Open Platform's {@code /cgi-bin/component/*} endpoints over the JDK's
 * {@link HttpClient}: starting ticket pushes, the component token, pre-auth codes, exchanging an
 * authorization code, authorizer tokens, and the authorizer list.
 *
 * <p>One call is one request: no caching, no retries. Each future completes with the value, or
 * exceptionally with a {@link WeChatErrorException} (WeChat answered an {@code errcode};
 * {@link ComponentVerdict#of(Throwable)} says what it means) or a
 * {@link WeChatUnreachableException} (no usable answer, including a timeout), within about the
 * read timeout. Secrets, tickets, tokens, codes and refresh tokens never appear in an exception
 * message: WeChat's {@code errmsg} is scrubbed of every credential the request carried.
 *
 * <p>Arguments must not be null ({@link NullPointerException} otherwise).
 *
 * <p>Thread-safe; one instance serves every platform.
 */
public final class ComponentClient {
  /** Answers are small; an authorizer-list page of 500 is under 100 KiB. */
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;
  /** WeChat's page limit for {@code api_get_authorizer_list}. */
  public static final int MAX_PAGE = 500;

  private final JsonUpstream upstream;
  private final String baseUrl;
  private final Duration readTimeout;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUrl WeChat's API root, e.g. {@code https://api.weixin.qq.com}
   * @param connectTimeout bound on establishing a connection
   * @param readTimeout bound on the whole exchange once connected
   * @param observer told every call's endpoint, outcome and duration (the metrics)
   */
  public ComponentClient(URI baseUrl, Duration connectTimeout, Duration readTimeout,
      CallObserver observer) {
    String base = baseUrl.toString();
    this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    this.upstream = new JsonUpstream("WeChat", connectTimeout, readTimeout, MAX_RESPONSE_BYTES,
        false, observer, System::nanoTime);
  }

  /** {@code api_start_push_ticket}: asks WeChat to (re)start pushing tickets to the callback. */
  public CompletableFuture<Void> startPushTicket(String componentAppId, String componentSecret) {
    ObjectNode body = json.createObjectNode()
        .put("component_appid", componentAppId)
        .put("component_secret", componentSecret);
    return send("api_start_push_ticket", null, body, List.of(componentSecret), node -> null);
  }

  /** {@code api_component_token}: a component token for the platform's secret and a ticket. */
  public CompletableFuture<ComponentToken> componentToken(String componentAppId,
      String componentSecret, String verifyTicket) {
    ObjectNode body = json.createObjectNode()
        .put("component_appid", componentAppId)
        .put("component_appsecret", componentSecret)
        .put("component_verify_ticket", verifyTicket);
    return send("api_component_token", null, body, List.of(componentSecret, verifyTicket),
        node -> new ComponentToken(upstream.text(node, "component_access_token"),
            upstream.expiresIn(node)));
  }

  /** {@code api_create_preauthcode}: a pre-auth code for an authorization link. */
  public CompletableFuture<PreAuthCode> createPreAuthCode(String componentAppId,
      String componentToken) {
    ObjectNode body = json.createObjectNode().put("component_appid", componentAppId);
    return send("api_create_preauthcode", componentToken, body, List.of(componentToken),
        node -> new PreAuthCode(upstream.text(node, "pre_auth_code"), upstream.expiresIn(node)));
  }

  /**
   * {@code api_query_auth}: exchanges an authorization code for the authorizer's first access
   * token and its refresh token, which WeChat hands out only this once.
   */
  public CompletableFuture<AuthorizerGrant> queryAuth(String componentAppId, String componentToken,
      String authorizationCode) {
    ObjectNode body = json.createObjectNode()
        .put("component_appid", componentAppId)
        .put("authorization_code", authorizationCode);
    return send("api_query_auth", componentToken, body,
        List.of(componentToken, authorizationCode), node -> {
          JsonNode info = node.get("authorization_info");
          if (info == null || !info.isObject()) {
            throw new WeChatUnreachableException("WeChat's answer has no authorization_info");
          }
          return new AuthorizerGrant(upstream.text(info, "authorizer_appid"),
              upstream.text(info, "authorizer_access_token"), upstream.expiresIn(info),
              upstream.text(info, "authorizer_refresh_token"));
        });
  }

  /**
   * {@code api_authorizer_token}: a new authorizer access token for its refresh token. WeChat
   * answers the refresh token too; if it differs from the one sent, the new one must be kept.
   */
  public CompletableFuture<AuthorizerGrant> authorizerToken(String componentAppId,
      String componentToken, String authorizerAppId, String refreshToken) {
    ObjectNode body = json.createObjectNode()
        .put("component_appid", componentAppId)
        .put("authorizer_appid", authorizerAppId)
        .put("authorizer_refresh_token", refreshToken);
    return send("api_authorizer_token", componentToken, body,
        List.of(componentToken, refreshToken), node -> {
          JsonNode refresh = node.get("authorizer_refresh_token");
          // Absent: WeChat kept the refresh token; the one sent stays current.
          String current = refresh == null || refresh.asText().isEmpty()
              ? refreshToken : upstream.text(node, "authorizer_refresh_token");
          return new AuthorizerGrant(authorizerAppId,
              upstream.text(node, "authorizer_access_token"), upstream.expiresIn(node), current);
        });
  }

  /**
   * {@code api_get_authorizer_list}: one page of the platform's authorizers.
   *
   * @param count 1 to {@value #MAX_PAGE}
   * @throws IllegalArgumentException if {@code offset} is negative or {@code count} out of range
   */
  public CompletableFuture<AuthorizerPage> authorizerList(String componentAppId,
      String componentToken, int offset, int count) {
    if (offset < 0 || count < 1 || count > MAX_PAGE) {
      throw new IllegalArgumentException("need offset >= 0 and count in 1..500");
    }
    ObjectNode body = json.createObjectNode()
        .put("component_appid", componentAppId)
        .put("offset", offset)
        .put("count", count);
    return send("api_get_authorizer_list", componentToken, body, List.of(componentToken),
        this::readPage);
  }

  private AuthorizerPage readPage(JsonNode node) {
    JsonNode total = node.get("total_count");
    JsonNode list = node.get("list");
    if (total == null || !total.canConvertToInt() || total.asInt() < 0
        || list == null || !list.isArray() || list.size() > MAX_PAGE) {
      throw new WeChatUnreachableException("WeChat's answer is not an authorizer list");
    }
    List<AuthorizerPage.Listing> listings = new ArrayList<>(list.size());
    for (JsonNode item : list) {
      if (!item.isObject()) {
        throw new WeChatUnreachableException("WeChat's answer is not an authorizer list");
      }
      JsonNode refresh = item.get("refresh_token");
      Optional<String> refreshToken = refresh == null || refresh.asText().isEmpty()
          ? Optional.empty() : Optional.of(upstream.text(item, "refresh_token"));
      JsonNode authTime = item.get("auth_time");
      if (authTime == null || !authTime.canConvertToLong() || authTime.asLong() < 0) {
        throw new WeChatUnreachableException("WeChat's answer has no usable auth_time");
      }
      listings.add(new AuthorizerPage.Listing(upstream.text(item, "authorizer_appid"),
          refreshToken,
          Instant.ofEpochSecond(authTime.asLong())));
    }
    return new AuthorizerPage(total.asInt(), listings);
  }

  private <T> CompletableFuture<T> send(String endpoint, String componentToken, ObjectNode body,
      List<String> credentials, Function<JsonNode, T> reader) {
    return upstream.send(endpoint, () -> {
      String uri = baseUrl + "/cgi-bin/component/" + endpoint + (componentToken == null ? ""
          : "?component_access_token=" + URLEncoder.encode(componentToken, StandardCharsets.UTF_8));
      return HttpRequest.newBuilder(URI.create(uri))
          .timeout(readTimeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
          .build();
    }, credentials, reader);
  }
}
