package io.wxtoken.open;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wxtoken.wechat.CallObserver;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  private static final int MAX_ERRMSG_CHARS = 200;
  private static final int MAX_VALUE_CHARS = 2048;

  private final HttpClient http;
  private final String baseUrl;
  private final Duration readTimeout;
  private final CallObserver observer;
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
    this.observer = Objects.requireNonNull(observer, "observer");
    this.http = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
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
        node -> new ComponentToken(text(node, "component_access_token"), expiresIn(node)));
  }

  /** {@code api_create_preauthcode}: a pre-auth code for an authorization link. */
  public CompletableFuture<PreAuthCode> createPreAuthCode(String componentAppId,
      String componentToken) {
    ObjectNode body = json.createObjectNode().put("component_appid", componentAppId);
    return send("api_create_preauthcode", componentToken, body, List.of(componentToken),
        node -> new PreAuthCode(text(node, "pre_auth_code"), expiresIn(node)));
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
          return new AuthorizerGrant(text(info, "authorizer_appid"),
              text(info, "authorizer_access_token"), expiresIn(info),
              text(info, "authorizer_refresh_token"));
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
              ? refreshToken : text(node, "authorizer_refresh_token");
          return new AuthorizerGrant(authorizerAppId, text(node, "authorizer_access_token"),
              expiresIn(node), current);
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
        ComponentClient::readPage);
  }

  private static AuthorizerPage readPage(JsonNode node) {
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
          ? Optional.empty() : Optional.of(text(item, "refresh_token"));
      JsonNode authTime = item.get("auth_time");
      if (authTime == null || !authTime.canConvertToLong() || authTime.asLong() < 0) {
        throw new WeChatUnreachableException("WeChat's answer has no usable auth_time");
      }
      listings.add(new AuthorizerPage.Listing(text(item, "authorizer_appid"), refreshToken,
          Instant.ofEpochSecond(authTime.asLong())));
    }
    return new AuthorizerPage(total.asInt(), listings);
  }

  private <T> CompletableFuture<T> send(String endpoint, String componentToken, ObjectNode body,
      List<String> credentials, Function<JsonNode, T> reader) {
    long start = System.nanoTime();
    HttpRequest request;
    try {
      String uri = baseUrl + "/cgi-bin/component/" + endpoint + (componentToken == null ? ""
          : "?component_access_token=" + URLEncoder.encode(componentToken, StandardCharsets.UTF_8));
      request = HttpRequest.newBuilder(URI.create(uri))
          .timeout(readTimeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
          .build();
    } catch (JsonProcessingException | IllegalArgumentException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(
          new WeChatUnreachableException("cannot build the " + endpoint + " request"));
    }
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = http.sendAsync(request, ComponentClient::boundedBody);
    } catch (RuntimeException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(unreachable(e));
    }
    long slack = http.connectTimeout().map(Duration::toMillis).orElse(0L);
    // The request timeout stops at the response headers; this bounds a stalled body too.
    return exchange
        .orTimeout(readTimeout.toMillis() + slack, TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          try {
            if (failure != null) {
              throw unreachable(failure);
            }
            T value = reader.apply(answer(response, credentials));
            observe(endpoint, CallObserver.OK, start);
            return value;
          } catch (WeChatErrorException e) {
            observe(endpoint, Integer.toString(e.errcode()), start);
            throw e;
          } catch (RuntimeException e) {
            observe(endpoint, CallObserver.UNREACHABLE, start);
            throw e;
          }
        });
  }

  private void observe(String endpoint, String outcome, long start) {
    try {
      observer.called(endpoint, outcome, System.nanoTime() - start);
    } catch (RuntimeException e) {
      // metrics must never change a call's outcome
    }
  }

  private static HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
    OptionalLong length = info.headers().firstValueAsLong("content-length");
    if (length.isPresent() && length.getAsLong() > MAX_RESPONSE_BYTES) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    return HttpResponse.BodySubscribers.ofByteArray();
  }

  private JsonNode answer(HttpResponse<byte[]> response, List<String> credentials) {
    if (response.statusCode() != 200) {
      throw new WeChatUnreachableException("WeChat answered HTTP " + response.statusCode());
    }
    byte[] body = response.body();
    if (body == null || body.length > MAX_RESPONSE_BYTES) {
      throw new WeChatUnreachableException("WeChat's answer is larger than "
          + MAX_RESPONSE_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw new WeChatUnreachableException("WeChat's answer is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new WeChatUnreachableException("WeChat's answer is not a JSON object");
    }
    JsonNode errcode = node.get("errcode");
    if (errcode != null && errcode.asInt(0) != 0) {
      String errmsg = node.path("errmsg").asText("");
      for (String credential : credentials) {
        if (credential != null && !credential.isEmpty()) {
          errmsg = errmsg.replace(credential, "<redacted>");
        }
      }
      throw new WeChatErrorException(errcode.asInt(),
          errmsg.length() <= MAX_ERRMSG_CHARS ? errmsg : errmsg.substring(0, MAX_ERRMSG_CHARS));
    }
    return node;
  }

  /** The non-empty, bounded string in {@code field}. */
  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()
        || value.asText().length() > MAX_VALUE_CHARS) {
      throw new WeChatUnreachableException("WeChat's answer has no usable " + field);
    }
    return value.asText();
  }

  private static Duration expiresIn(JsonNode node) {
    JsonNode expiresIn = node.get("expires_in");
    if (expiresIn == null || !expiresIn.canConvertToLong() || expiresIn.asLong() <= 0) {
      throw new WeChatUnreachableException("WeChat's answer has no usable expires_in");
    }
    return Duration.ofSeconds(expiresIn.asLong());
  }

  private static RuntimeException unreachable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof WeChatUnreachableException || cause instanceof WeChatErrorException) {
      return (RuntimeException) cause;
    }
    // The HTTP stack's messages are not echoed: the URL carries the component token.
    String what;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      what = "timed out";
    } else if (cause instanceof ConnectException) {
      what = "connection failed";
    } else if (cause instanceof IOException) {
      what = "I/O error (" + cause.getClass().getSimpleName() + ")";
    } else {
      what = "request failed (" + cause.getClass().getSimpleName() + ")";
    }
    return new WeChatUnreachableException("WeChat " + what);
  }
}
