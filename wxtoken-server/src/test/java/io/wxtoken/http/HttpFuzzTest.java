package io.wxtoken.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.http.RawHttp.Answer;
import io.wxtoken.http.RawHttp.Canary;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded, seeded fuzz of the HTTP API over raw sockets (a client library would normalize or
 * refuse most of these): malformed request lines, targets, headers, bodies and encodings. None
 * carries a credential that could verify, so for every one: no connection leaves for anywhere but
 * the WeChat base (a canary listens on another loopback port), no call reaches WeChat, nothing is
 * stored, no 5xx, and the server keeps serving.
 */
class HttpFuzzTest {
  private static final long SEED = 20261202L;
  private static final int CASES = 300;

  @TempDir
  Path dir;

  @Test
  void malformedRequestsChangeNothingAndLeaveForNowhere() throws Exception {
    Random random = new Random(SEED);
    try (Canary canary = new Canary(); ServerHarness h = ServerHarness.start(dir)) {
      Fuzz fuzz = new Fuzz(random, canary.port());
      int port = h.server().port();
      for (int i = 0; i < CASES; i++) {
        byte[] request = fuzz.request();
        // A request the server is still waiting on (a declared body never sent) is answered
        // by nothing within a second: that is not an error, and keeps the test fast.
        Answer answer = RawHttp.exchange(port, request, 1_000);
        String shown = new String(request, StandardCharsets.ISO_8859_1);
        assertThat(answer.status()).as("case %d: %s", i, shown).isLessThan(500);
      }

      assertThat(canary.wasConnected()).isFalse();
      for (Endpoint endpoint : Endpoint.values()) {
        assertThat(h.wechat.calls(endpoint)).as(endpoint.name()).isZero();
      }
      assertThat(h.server().tokens().statuses()).isEmpty();
      Answer health = RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n");
      assertThat(health.status()).isEqualTo(200);
      assertThat(h.token(ServerHarness.APP_ID, ServerHarness.SECRET).statusCode()).isEqualTo(200);
    }
  }

  /** Builds hostile requests from a seeded source. */
  private static final class Fuzz {
    private final Random random;
    private final int canary;

    Fuzz(Random random, int canary) {
      this.random = random;
      this.canary = canary;
    }

    private <T> T pick(List<T> choices) {
      return choices.get(random.nextInt(choices.size()));
    }

    byte[] request() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      String method = pick(List.of("GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "CONNECT",
          "TRACE", "PATCH", "G\u0000T", "", "post", "GET GET"));
      String version = pick(List.of("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
          "HTTP/9.9", "", "http/1.1", "HTTP/1.1 extra"));
      write(out, method + " " + target() + (version.isEmpty() ? "" : " " + version) + eol());
      List<String> headers = headers();
      for (String header : headers) {
        write(out, header + eol());
      }
      write(out, eol());
      out.writeBytes(body());
      return out.toByteArray();
    }

    private String eol() {
      return random.nextInt(10) == 0 ? pick(List.of("\n", "\r", "\r\r\n")) : "\r\n";
    }

    private String target() {
      String api = pick(List.of("/api/v3/get-wechat-access-token", "/api/v3/get-wechat-access-token-info",
          "/api/v3/refresh-wechat-access-token", "/api/v3/get-wechat-jsapi-ticket",
          "/api/v3/sign-wechat-jssdk", "/cgi-bin/token", "/cgi-bin/stable_token",
          "/cgi-bin/ticket/getticket", "/cgi-bin/getcallbackip", "/cgi-bin/media/upload",
          "/admin/apps", "/admin/metrics", "/health", "/ready"));
      String host = "127.0.0.1:" + canary;
      String target = switch (random.nextInt(12)) {
        case 0 -> "http://" + host + api;
        case 1 -> "//" + host + api;
        case 2 -> "@" + host + "/x://y" + api;
        case 3 -> host + api;
        case 4 -> encodeSome(api);
        case 5 -> api.replaceFirst("/", "/x/../");
        case 6 -> api + "/" + pick(List.of("..", ".", "%2e%2e", "%2f", "%00", "%", "%zz", "\\"));
        case 7 -> api.replace("/", pick(List.of("//", "/./", "%2F", "\\")));
        case 8 -> api + "/" + "a".repeat(random.nextInt(3) * 4000);
        case 9 -> "*";
        case 10 -> api.toUpperCase(java.util.Locale.ROOT);
        default -> api;
      };
      return target + query();
    }

    private String encodeSome(String path) {
      StringBuilder out = new StringBuilder();
      for (char c : path.toCharArray()) {
        if (c != '/' && random.nextInt(3) == 0) {
          out.append(String.format(random.nextBoolean() ? "%%%02X" : "%%%02x", (int) c));
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }

    private String query() {
      return switch (random.nextInt(8)) {
        case 0 -> "";
        case 1 -> "?access_token=" + pick(List.of("guess", "", "%", "%zz", "x".repeat(5000)));
        case 2 -> "?grant_type=client_credential&appid=" + badAppId() + "&secret=" + badSecret();
        case 3 -> "?grant_type=client_credential&appid=" + badAppId();
        case 4 -> "?type=jsapi&access_token=" + pick(List.of("t", "%00", "%E4%BD"));
        case 5 -> "?" + "a=b&".repeat(random.nextInt(2000));
        case 6 -> "?#frag";
        default -> "?x=%" + Integer.toHexString(random.nextInt(256));
      };
    }

    private String badAppId() {
      return pick(List.of("", "wx", "wx<script>", "wx'--", "a".repeat(100), "wx%00abc",
          "wx00000000000000a1%0d%0a", "..%2f..", "wx 1"));
    }

    private String badSecret() {
      return pick(List.of("", "x", "s".repeat(300), "%", "%zz", "a%00b"));
    }

    private List<String> headers() {
      List<String> headers = new ArrayList<>();
      if (random.nextInt(6) != 0) {
        headers.add("Host: " + pick(List.of("x", "127.0.0.1:" + canary, "", "a b", "x, y")));
      }
      int extra = random.nextInt(5);
      for (int i = 0; i < extra; i++) {
        headers.add(pick(List.of(
            "Content-Length: " + pick(List.of("-1", "99999999999999999999", "abc", "0", "5",
                "12, 13", "0x10", " 7")),
            "Content-Length: 3",
            "Transfer-Encoding: " + pick(List.of("chunked", "gzip", "chunked, chunked", "identity",
                "xchunked", "chunked\u0000")),
            "Content-Type: " + pick(List.of("application/json", "application/x-www-form-urlencoded",
                "text/plain", "application/json; charset=latin1", "multipart/form-data; boundary=",
                "", "application/json\u0000")),
            "Content-Encoding: " + pick(List.of("gzip", "deflate", "br", "x")),
            "X-Request-Id: " + pick(List.of("\"}{", "a".repeat(500), "ok-1", "\u00e9")),
            "X-Forwarded-For: " + pick(List.of("127.0.0.1:" + canary, "::1", "junk")),
            "Authorization: Bearer " + pick(List.of("", "x", "a".repeat(2000))),
            "Expect: 100-continue",
            "Upgrade: h2c",
            "Connection: Upgrade, HTTP2-Settings",
            "No-Colon-Here",
            " folded: continuation",
            "X-Long: " + "v".repeat(random.nextInt(3) * 9000),
            "X-Nul: a\u0000b")));
      }
      return headers;
    }

    private byte[] body() {
      String appId = badAppId();
      String text = switch (random.nextInt(12)) {
        case 0 -> "";
        case 1 -> "{";
        case 2 -> "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + badSecret() + "\"}";
        case 3 -> "{\"appId\":\"" + appId + "\"}{\"appId\":\"x\"}";
        case 4 -> "[".repeat(random.nextInt(5000));
        case 5 -> "appId=" + appId + "&appSecret=%zz";
        case 6 -> "{\"appId\":1e999999,\"appSecret\":null}";
        case 7 -> "{\"appId\":\"\\ud800\",\"appSecret\":\"\\u0000\"}";
        case 8 -> "5\r\nhello\r\n0\r\n\r\n";
        case 9 -> "zz\r\nxx\r\n";
        case 10 -> "{\"grant_type\":\"client_credential\",\"appid\":\"" + appId
            + "\",\"secret\":\"x\",\"force_refresh\":true}";
        default -> "{\"appId\":\"" + appId + "\",\"appId\":\"dup\"}";
      };
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(8) == 0) {
        byte[] broken = new byte[bytes.length + 3];
        System.arraycopy(bytes, 0, broken, 0, bytes.length);
        broken[bytes.length] = (byte) 0xC3; // invalid UTF-8
        broken[bytes.length + 1] = (byte) 0x28;
        broken[bytes.length + 2] = (byte) 0xFF;
        return broken;
      }
      return bytes;
    }

    private static void write(ByteArrayOutputStream out, String text) {
      out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }
  }
}
