package io.wxtoken.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a separate process, killed with SIGKILL while writes are in flight: every token it
 * acknowledged is served again after a restart, with zero calls to WeChat.
 */
class CrashRecoveryTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final int APPS = 40;

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void acknowledgedTokensSurviveSigkillMidWrite() throws Exception {
    WeChatSimulator.Builder builder = WeChatSimulator.builder();
    IntStream.range(0, APPS).forEach(i -> builder.app(appId(i), SECRET));
    try (WeChatSimulator wechat = builder.start()) {
      // Spread the fetches out so the kill lands while some are between WeChat and the store.
      wechat.faults().latency(Duration.ofMillis(40));
      int port = freePort();
      Process server = startServer(port, wechat.baseUrl());
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      try {
        awaitHealthy(port);
        List<CompletableFuture<Void>> requests = IntStream.range(0, APPS)
            .mapToObj(i -> CompletableFuture.runAsync(() -> {
              sleep(i * 5L);
              JsonNode reply = token(port, appId(i));
              if (reply != null && reply.path("statusCode").asInt() == 200) {
                acknowledged.put(appId(i), reply.path("data").path("accessToken").asText());
              }
            }))
            .toList();
        awaitAtLeast(acknowledged, APPS / 4); // then kill while the rest are in flight
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
        server.waitFor();
        requests.forEach(CompletableFuture::join);
      } finally {
        server.destroyForcibly();
      }
      assertThat(acknowledged).isNotEmpty();

      wechat.resetCounters();
      Process restarted = startServer(port, wechat.baseUrl());
      try {
        awaitHealthy(port);
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
          JsonNode reply = token(port, ack.getKey());
          assertThat(reply.path("data").path("accessToken").asText())
              .as("token of %s after the crash", ack.getKey()).isEqualTo(ack.getValue());
          assertThat(wechat.calls(Endpoint.STABLE_TOKEN, ack.getKey())).isZero();
        }
      } finally {
        restarted.destroy();
        restarted.waitFor();
      }
    }
  }

  private Process startServer(int port, URI wechat) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Files.createTempFile(dir.getParent(), "server", ".log");
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.wxtoken.cli.Main", "serve", "--port", Integer.toString(port),
        "--store", "file:" + dir.resolve("store"), "--wechat-base-url", wechat.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private void awaitHealthy(int port) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        sleep(100); // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("server on port " + port + " did not become healthy");
  }

  /** The reply, or null if the connection died (the kill). */
  private JsonNode token(int port, String appId) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + ServerHarness.TOKEN_PATH))
          .header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + SECRET + "\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      return json.readTree(r.body());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void awaitAtLeast(Map<String, String> acknowledged, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (acknowledged.size() < count && System.nanoTime() < deadline) {
      sleep(5);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String appId(int i) {
    return String.format("wx%016x", 0x2000 + i);
  }
}
