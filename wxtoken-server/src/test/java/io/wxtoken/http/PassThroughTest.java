package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wxtoken.http.RawHttp.Answer;
import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.TokenApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pass-through to WeChat: who may use it, what it forwards, and the bounds on its memory and
 * time. The token rule is checked against the simulator (which issues the tokens); the rest
 * against a recording upstream of our own, with the token rule off.
 */
class PassThroughTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  private HttpServer upstream;
  private WxTokenServer server;
  private final List<Map<String, List<String>>> seenHeaders = new CopyOnWriteArrayList<>();
  private final List<String> seenTargets = new CopyOnWriteArrayList<>();
  private final AtomicLong seenBytes = new AtomicLong();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  /** A WeChat stand-in that records what reaches it and answers with a cookie it must not leak. */
  private URI startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext("/", this::answer);
    upstream.start();
    return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
  }

  private void answer(HttpExchange exchange) throws IOException {
    seenHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
    seenTargets.add(exchange.getRequestURI().toString());
    try (InputStream in = exchange.getRequestBody()) {
      seenBytes.addAndGet(in.transferTo(OutputStream.nullOutputStream()));
    }
    String path = exchange.getRequestURI().getPath();
    CountDownLatch hold = holds.get(path);
    if (hold != null) {
      try {
        hold.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (path.equals("/cgi-bin/trickle")) {
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < 200; i++) {
          out.write(' ');
          out.flush();
          Thread.sleep(100); // an upstream that never finishes: the deadline must end it
        }
      } catch (IOException | InterruptedException e) {
        return; // wxtoken hung up
      }
      return;
    }
    byte[] body = "{\"errcode\":0,\"errmsg\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Set-Cookie", "wechat=secret-session");
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void startServer(URI wechat, UnaryOperator<HttpLimits> limits) {
    ServerConfig config = ServerConfig.defaults(dir, wechat).withPort(0)
        .withWeChatTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
        .withHttpLimits(limits.apply(HttpLimits.defaults().withPassThrough(true, true)));
    server = WxTokenServer.start(config, clock, clock::nanoTime,
        TokenService.Options.defaults(TokenApi.STABLE).withResilience(ServerHarness.QUICK));
  }

  private Answer post(String target, int length, String... headers) {
    StringBuilder request = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    byte[] head = request.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + length];
    System.arraycopy(head, 0, all, 0, head.length);
    return RawHttp.exchange(server.port(), all);
  }

  @Test
  void onlyATokenWxtokenIssuedAndStillValidIsForwarded() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken();
      int port = h.server().port();

      Answer unknown = RawHttp.exchange(port, "GET /cgi-bin/getcallbackip?access_token=guess"
          + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      Answer none = RawHttp.exchange(port, "GET /cgi-bin/getcallbackip HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n");
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP)).isZero();
      Answer issued = RawHttp.exchange(port, "GET /cgi-bin/getcallbackip?access_token=" + token
          + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

      assertThat(JSON.readTree(unknown.body()).path("errcode").asInt()).isEqualTo(40001);
      assertThat(JSON.readTree(none.body()).path("errcode").asInt()).isEqualTo(40001);
      assertThat(JSON.readTree(issued.body()).path("ip_list").isArray()).isTrue();
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP)).isEqualTo(1);
    }
  }

  @Test
  void thePassThroughCanBeTurnedOff(@TempDir Path other) throws Exception {
    try (ServerHarness h = ServerHarness.start(other, b -> { },
        c -> c.withHttpLimits(HttpLimits.defaults().withPassThrough(false, false)))) {
      String token = h.token(APP_ID, SECRET).accessToken();

      Answer answer = RawHttp.exchange(h.server().port(), "GET /cgi-bin/getcallbackip"
          + "?access_token=" + token + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

      assertThat(answer.status()).isEqualTo(404);
      assertThat(JSON.readTree(answer.body()).path("errcode").asInt()).isEqualTo(-1);
      assertThat(h.wechat.calls(Endpoint.CALLBACK_IP)).isZero();
    }
  }

  @Test
  void onlyAllowedHeadersGoOutAndNoCookieComesBack() throws Exception {
    startServer(startUpstream(), l -> l);

    Answer answer = RawHttp.exchange(server.port(), "GET /cgi-bin/user/get?access_token=T&next="
        + " HTTP/1.1\r\nHost: evil.example\r\nCookie: session=victim\r\n"
        + "Authorization: Bearer victim\r\nX-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Host: evil\r\n"
        + "Proxy-Authorization: Basic dmljdGlt\r\nUser-Agent: sdk/1.0\r\nAccept: */*\r\n"
        + "Connection: close\r\n\r\n");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.hasHeader("Set-Cookie")).isFalse();
    assertThat(seenTargets).containsExactly("/cgi-bin/user/get?access_token=T&next=");
    Map<String, List<String>> headers = seenHeaders.get(0);
    assertThat(headers.keySet()).map(k -> k.toLowerCase(java.util.Locale.ROOT))
        .doesNotContain("cookie", "authorization", "x-forwarded-for", "x-forwarded-host",
            "proxy-authorization")
        .contains("user-agent");
    assertThat(headers.get("Host").get(0)).isEqualTo("127.0.0.1:" + upstream.getAddress().getPort());
  }

  @Test
  void uploadsStreamWithinTheirLimitAndOtherBodiesAreSmall() throws Exception {
    startServer(startUpstream(), l -> l.withPassThroughBounds(8, 64L << 20, 64 * 1024, 8L << 20,
        Duration.ofSeconds(30)));

    Answer upload = post("/cgi-bin/media/upload?access_token=T&type=image", 6 << 20);
    long uploaded = seenBytes.get();
    Answer large = post("/cgi-bin/message/custom/send?access_token=T", 128 * 1024);
    Answer tooLargeUpload = post("/cgi-bin/media/upload?access_token=T&type=image", 9 << 20);

    assertThat(upload.status()).isEqualTo(200);
    assertThat(uploaded).isEqualTo(6 << 20);
    assertThat(large.status()).isEqualTo(413);
    assertThat(tooLargeUpload.status()).isEqualTo(413);
    assertThat(seenTargets).hasSize(1); // neither oversized body was forwarded
  }

  @Test
  void aBodyWithoutALengthIsRefused() throws Exception {
    startServer(startUpstream(), l -> l);

    Answer chunked = RawHttp.exchange(server.port(), "POST /cgi-bin/media/upload?access_token=T"
        + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n");

    assertThat(chunked.status()).isEqualTo(411);
    assertThat(seenTargets).isEmpty();
  }

  @Test
  void callsBeyondTheCapOnExchangesInProgressAreRefusedAtOnce() throws Exception {
    startServer(startUpstream(), l -> l.withPassThroughBounds(2, 64L << 20, 1 << 20, 8L << 20,
        Duration.ofSeconds(30)));
    CountDownLatch release = new CountDownLatch(1);
    holds.put("/cgi-bin/held", release);
    List<Socket> held = new CopyOnWriteArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream().write(("GET /cgi-bin/held?access_token=T HTTP/1.1\r\nHost: x\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        held.add(socket);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seenTargets.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }

      Answer third = RawHttp.exchange(server.port(), "GET /cgi-bin/held?access_token=T HTTP/1.1"
          + "\r\nHost: x\r\nConnection: close\r\n\r\n");

      assertThat(third.status()).isEqualTo(429);
      assertThat(JSON.readTree(third.body()).path("errcode").asInt()).isEqualTo(45009);
      assertThat(seenTargets).hasSize(2);
      release.countDown();
      for (Socket socket : held) {
        socket.setSoTimeout(10_000);
        assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
      }
      assertThat(RawHttp.exchange(server.port(), "GET /cgi-bin/after?access_token=T HTTP/1.1"
          + "\r\nHost: x\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
    } finally {
      release.countDown();
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void oneDeadlineBoundsTheWholeExchangeHoweverSlowlyWeChatTrickles() throws Exception {
    startServer(startUpstream(), l -> l.withPassThroughBounds(8, 64L << 20, 1 << 20, 8L << 20,
        Duration.ofSeconds(1)));
    long start = System.nanoTime();

    Answer answer = RawHttp.exchange(server.port(), "GET /cgi-bin/trickle?access_token=T"
        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    // The upstream would take 20 s, each byte well within any idle timeout.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(answer.text()).startsWith("HTTP/1.1 200");
    assertThat(answer.text().length()).isLessThan(2000);
  }

  @Test
  void theOutboundHostIsAlwaysTheConfiguredOne() throws Exception {
    WeChatSimulator wechat = WeChatSimulator.builder().clock(clock).start();
    try (RawHttp.Canary canary = new RawHttp.Canary()) {
      startServer(wechat.baseUrl(), l -> l);

      Answer answer = RawHttp.exchange(server.port(), "GET /cgi-bin/getcallbackip?access_token=T"
          + " HTTP/1.1\r\nHost: 127.0.0.1:" + canary.port() + "\r\nConnection: close\r\n\r\n");

      assertThat(answer.status()).isEqualTo(200);
      assertThat(canary.wasConnected()).isFalse();
      assertThat(wechat.calls(Endpoint.CALLBACK_IP)).isEqualTo(1);
    } finally {
      wechat.close();
    }
  }
}
