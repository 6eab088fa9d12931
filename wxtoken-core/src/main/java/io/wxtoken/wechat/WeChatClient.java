package io.wxtoken.wechat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches access tokens from WeChat over the JDK's {@link HttpClient}.
 *
 * <p>One call is one upstream request: no caching and no retries. The returned future completes
 * with a {@link WeChatToken}, or exceptionally with a {@link WeChatErrorException} (WeChat answered
 * with an {@code errcode}) or a {@link WeChatUnreachableException} (no usable answer, including a
 * timeout). It always completes within about the read timeout.
 *
 * <p>Thread-safe; one instance serves every app.
 */
public final class WeChatClient {
  /** WeChat's token answers are under 1 KiB; anything far larger is not WeChat. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private static final int MAX_ERRMSG_CHARS = 200;
  private static final int MAX_TOKEN_CHARS = 2048;

  private final HttpClient http;
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
    String base = baseUrl.toString();
    this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.api = Objects.requireNonNull(api);
    this.readTimeout = Objects.requireNonNull(readTimeout);
    this.http = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
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
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = http.sendAsync(request, WeChatClient::boundedBody);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(unreachable(e, secret));
    }
    // The request timeout stops at the response headers; this bounds a stalled body too.
    return exchange
        .orTimeout(readTimeout.toMillis() + connectTimeoutSlack(), TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          if (failure != null) {
            throw unreachable(failure, secret);
          }
          return parse(response, secret);
        });
  }

  private long connectTimeoutSlack() {
    return http.connectTimeout().map(Duration::toMillis).orElse(0L);
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

  private static HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
    OptionalLong length = info.headers().firstValueAsLong("content-length");
    if (length.isPresent() && length.getAsLong() > MAX_RESPONSE_BYTES) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    return HttpResponse.BodySubscribers.ofByteArray();
  }

  private WeChatToken parse(HttpResponse<byte[]> response, String secret) {
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
      throw new WeChatErrorException(errcode.asInt(), errmsg(node.path("errmsg").asText(""), secret));
    }
    JsonNode token = node.get("access_token");
    JsonNode expiresIn = node.get("expires_in");
    if (token == null || !token.isTextual() || token.asText().isEmpty()
        || token.asText().length() > MAX_TOKEN_CHARS) {
      throw new WeChatUnreachableException("WeChat's answer has no usable access_token");
    }
    if (expiresIn == null || !expiresIn.canConvertToLong() || expiresIn.asLong() <= 0) {
      throw new WeChatUnreachableException("WeChat's answer has no usable expires_in");
    }
    return new WeChatToken(token.asText(), Duration.ofSeconds(expiresIn.asLong()));
  }

  private static String errmsg(String raw, String secret) {
    String cleaned = redact(raw, secret);
    return cleaned.length() <= MAX_ERRMSG_CHARS ? cleaned : cleaned.substring(0, MAX_ERRMSG_CHARS);
  }

  private static RuntimeException unreachable(Throwable failure, String secret) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof WeChatUnreachableException || cause instanceof WeChatErrorException) {
      return (RuntimeException) cause;
    }
    // Exception messages from the HTTP stack never name the URL today; we still avoid echoing
    // them verbatim, because for /cgi-bin/token the URL holds the secret.
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
    return new WeChatUnreachableException("WeChat " + redact(what, secret));
  }

  /** Removes the secret from text; an empty secret would match between every character. */
  private static String redact(String text, String secret) {
    return secret.isEmpty() ? text : text.replace(secret, "<redacted>");
  }
}
