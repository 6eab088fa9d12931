package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain HTTP client for the WeCom simulator, as code under test would call it; it can also send
 * from another loopback address (127.0.0.2, …) to play a second caller.
 */
final class WeComSimClient {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private final URI base;

  WeComSimClient(WeComSimulator simulator) {
    this.base = simulator.baseUrl();
  }

  /** One answer; {@code json} is null when the body is not JSON. */
  record Answer(int status, String body, JsonNode json) {
    int errcode() {
      return json.path("errcode").asInt(Integer.MIN_VALUE);
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
  }

  Answer gettoken(String corpId, String secret) {
    return get(gettokenPath(corpId, secret));
  }

  static String gettokenPath(String corpId, String secret) {
    return "/cgi-bin/gettoken?corpid=" + enc(corpId) + "&corpsecret=" + enc(secret);
  }

  Answer jsapiTicket(String accessToken) {
    return get("/cgi-bin/get_jsapi_ticket?access_token=" + enc(accessToken));
  }

  Answer agentTicket(String accessToken) {
    return get("/cgi-bin/ticket/get?access_token=" + enc(accessToken) + "&type=agent_config");
  }

  Answer agent(String accessToken, String agentId) {
    return get("/cgi-bin/agent/get?access_token=" + enc(accessToken) + "&agentid=" + enc(agentId));
  }

  Answer get(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      HttpResponse<String> response = http.send(request,
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A GET sent from {@code localAddress} (a loopback address), over a plain socket. */
  Answer getFrom(String localAddress, String pathAndQuery) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getAuthority()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(raw.substring(9, 12));
      return answer(status, raw.substring(raw.indexOf("\r\n\r\n") + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Answer answer(int status, String body) {
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (IOException e) {
      json = null;
    }
    return new Answer(status, body, json);
  }
}
