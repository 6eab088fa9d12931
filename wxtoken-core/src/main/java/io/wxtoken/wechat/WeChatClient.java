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
import java.util.function.Function;

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

  private static final int MAX_ERRMSG_CHARS = 200;
  private static final int MAX_TOKEN_CHARS = 2048;

  private final HttpClient http;
  private final String baseUrl;
  private final TokenApi api;
  private final Duration readTimeout;
  private final ObjectMapper json = new ObjectMapper();
  private final CallObserver observer;

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
    this.observer = Objects.requireNonNull(observer, "observer");
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
    return send(api == TokenApi.STABLE ? "stable_token" : "token", request, secret,
        WeChatClient::readToken);
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
    return send("getticket", request, accessToken, WeChatClient::readTicket);
  }

  /**
   * Sends one request to {@code endpoint} and reads its answer with {@code reader};
   * {@code credential} (the secret or access token the request carries) is redacted from every
   * failure message. The outcome is told to the observer.
   */
  private <T> CompletableFuture<T> send(String endpoint, HttpRequest request, String credential,
      Function<JsonNode, T> reader) {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = http.sendAsync(request, WeChatClient::boundedBody);
    } catch (RuntimeException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(unreachable(e, credential));
    }
    // The request timeout stops at the response headers; this bounds a stalled body too.
    return exchange
        .orTimeout(readTimeout.toMillis() + connectTimeoutSlack(), TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          try {
            if (failure != null) {
              throw unreachable(failure, credential);
            }
            T value = reader.apply(answer(response, credential));
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

  /**
   * The answer as a JSON object with no error in it.
   *
   * @throws WeChatUnreachableException if there is no usable JSON object
   * @throws WeChatErrorException if WeChat answered a non-zero {@code errcode}
   */
  private JsonNode answer(HttpResponse<byte[]> response, String credential) {
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
      throw new WeChatErrorException(errcode.asInt(),
          errmsg(node.path("errmsg").asText(""), credential));
    }
    return node;
  }

  private static WeChatToken readToken(JsonNode node) {
    return new WeChatToken(issued(node, "access_token"), expiresIn(node));
  }

  private static WeChatTicket readTicket(JsonNode node) {
    return new WeChatTicket(issued(node, "ticket"), expiresIn(node));
  }

  /** The non-empty, bounded string WeChat issued in {@code field}. */
  private static String issued(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()
        || value.asText().length() > MAX_TOKEN_CHARS) {
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

  private static String errmsg(String raw, String credential) {
    String cleaned = redact(raw, credential);
    return cleaned.length() <= MAX_ERRMSG_CHARS ? cleaned : cleaned.substring(0, MAX_ERRMSG_CHARS);
  }

  private static RuntimeException unreachable(Throwable failure, String credential) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof WeChatUnreachableException || cause instanceof WeChatErrorException) {
      return (RuntimeException) cause;
    }
    // Exception messages from the HTTP stack never name the URL today; we still avoid echoing
    // them verbatim, because for /cgi-bin/token the URL holds the secret, and for getticket the
    // access token.
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
    return new WeChatUnreachableException("WeChat " + redact(what, credential));
  }

  /** Removes the credential from text; an empty one would match between every character. */
  private static String redact(String text, String credential) {
    return credential.isEmpty() ? text : text.replace(credential, "<redacted>");
  }
}
