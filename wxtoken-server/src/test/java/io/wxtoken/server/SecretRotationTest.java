package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static io.wxtoken.server.ServerHarness.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service rotates its AppSecret while somebody elsewhere keeps sending wrong secrets for the
 * same app, over real HTTP: the harness's client is the service (127.0.0.1), raw sockets bound
 * to other loopback addresses are the attacker.
 */
class SecretRotationTest {
  private static final String NEW_SECRET = "abcdefabcdefabcdefabcdefabcdef00";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void aRotatedSecretIsAcceptedWithinAMinuteWhileOtherAddressesSendWrongSecretsContinuously()
      throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      h.wechat.registerApp(APP_ID, NEW_SECRET); // reset in WeChat's console
      h.clock.advance(Duration.ofSeconds(61));

      Reply accepted = null;
      int attacker = 2;
      List<String> toldStrangers = new ArrayList<>();
      for (int second = 0; second < 60 && accepted == null; second++) {
        // Two wrong secrets a second, each from a fresh address (no per-address throttle bites),
        // always just before the service asks.
        for (int i = 0; i < 2; i++) {
          JsonNode refused = postFrom("127.0.0." + attacker++, h.server().port(),
              "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + String.format("%032x", attacker)
                  + "\"}");
          assertThat(refused.path("statusCode").asInt()).isNotEqualTo(200);
          toldStrangers.add(refused.path("message").asText());
        }
        Reply service = h.token(APP_ID, NEW_SECRET);
        if (service.statusCode() == 200) {
          accepted = service;
        } else {
          h.clock.advance(Duration.ofSeconds(1));
        }
      }

      assertThat(accepted).as("the rotated secret accepted within 60 s").isNotNull();
      assertThat(h.wechat.isValid(accepted.accessToken())).isTrue();
      assertThat(h.token(APP_ID, NEW_SECRET).accessToken()).isEqualTo(accepted.accessToken());
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).as("bounded by the addresses")
          .isLessThanOrEqualTo(attacker);
      assertThat(toldStrangers).as("no slot timing for a stranger")
          .noneMatch(message -> message.matches(".*retry in \\d+ s.*"));
    }
  }

  /** POSTs a JSON token request from {@code source} over a raw socket; returns the envelope. */
  private static JsonNode postFrom(String source, int port, String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + TOKEN_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + content.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int start = response.indexOf('{');
      int end = response.lastIndexOf('}');
      assertThat(start).as("an envelope in %s", response).isNotNegative();
      return JSON.readTree(response.substring(start, end + 1));
    }
  }
}
