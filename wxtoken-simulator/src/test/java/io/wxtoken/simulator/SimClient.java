package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A plain HTTP client for the simulator, as code under test would call it. */
final class SimClient {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private final URI base;

  SimClient(WeChatSimulator simulator) {
    this.base = simulator.baseUrl();
  }

  /** One HTTP answer; {@code json} is null when the body is not JSON. */
  record Answer(int status, String contentType, String body, JsonNode json) {
    int errcode() {
      return json.path("errcode").asInt(0);
    }

    String errmsg() {
      return json.path("errmsg").asText(null);
    }

    String token() {
      return json.path("access_token").asText(null);
    }

    String ticket() {
      return json.path("ticket").asText(null);
    }

    long expiresIn() {
      return json.path("expires_in").asLong(-1);
    }

    boolean isGrant() {
      return json != null && json.has("access_token");
    }
  }

  Answer token(String appId, String secret) {
    return get("/cgi-bin/token?grant_type=client_credential&appid=" + enc(appId) + "&secret=" + enc(secret));
  }

  Answer stable(String appId, String secret, boolean force) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("grant_type", "client_credential");
    body.put("appid", appId);
    body.put("secret", secret);
    body.put("force_refresh", force);
    return post("/cgi-bin/stable_token", body.toString());
  }

  Answer callbackIp(String accessToken) {
    return get("/cgi-bin/getcallbackip?access_token=" + enc(accessToken));
  }

  Answer ticket(String accessToken, String type) {
    return get("/cgi-bin/ticket/getticket?access_token=" + enc(accessToken) + "&type=" + enc(type));
  }

  Answer get(String pathAndQuery) {
    return send(request(pathAndQuery).GET().build());
  }

  Answer post(String path, String body) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10));
  }

  Answer send(HttpRequest request) {
    try {
      return toAnswer(http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends without waiting, to exercise concurrency. */
  CompletableFuture<Answer> sendAsync(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(SimClient::toAnswer);
  }

  /** Sends and lets the caller see transport failures (timeouts, dropped connections). */
  HttpResponse<String> sendRaw(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Answer toAnswer(HttpResponse<String> response) {
    JsonNode json;
    try {
      json = MAPPER.readTree(response.body());
    } catch (IOException e) {
      json = null;
    }
    return new Answer(response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""), response.body(), json);
  }
}
