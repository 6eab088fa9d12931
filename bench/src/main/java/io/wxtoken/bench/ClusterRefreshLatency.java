package io.wxtoken.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.store.redis.RedisAddress;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Refresh latency seen by callers waiting for another caller's refresh: cluster (several
 * instances on one Redis, the waiters on other instances than the refresher, woken by the Redis
 * notice) against a single node on the embedded store (the waiters join the refresher's flight in
 * memory).
 *
 * <p>Everything runs in this JVM except Redis: one {@link WeChatSimulator} per phase with a fixed
 * real-time latency on every token call, on a {@link ManualClock} shared with the servers, and real
 * {@link WxTokenServer}s (HTTP on loopback). The servers are verify-only, so no proactive refresh
 * runs: a token is replaced only when a request finds it expired. Each round:
 *
 * <ol>
 *   <li>the clock jumps one token lifetime ahead, so the app's token is expired everywhere;
 *   <li>the <em>holder</em> request goes to instance {@code r % n} (single node: the node);
 *   <li>{@code gap} ms later (cluster: once the app's lease key exists in Redis, proving the holder
 *       has taken the lease; a round where it does not within 2 s fails the run) the
 *       <em>waiter</em> requests go out concurrently, one to each other instance (single node:
 *       the same number, to the node);
 *   <li>all answers must be 200 with the same token, valid at the simulator.
 * </ol>
 *
 * <p>First, for reference, the upstream call alone: {@link WeChatClient#fetchToken} (as the servers
 * make it) against a simulator with the same latency, {@code rounds} times after the warm-up.
 *
 * <p>Recorded per round: each request's latency (send to full answer, Java's HTTP client on
 * loopback) and each waiter's <em>extra latency</em>: when its answer arrived minus when the
 * holder's did. At the end the simulator's call count must equal one per round (plus the first
 * request): one upstream call per refresh for the whole cluster.
 *
 * <p>Usage: {@code ClusterRefreshLatency REDIS_URI [--rounds=200] [--warmup-rounds=30]
 * [--upstream-ms=50] [--instances=3] [--gap-ms=5] [--raw=FILE.csv]}. <b>The given Redis database
 * is flushed</b> (FLUSHDB) before the cluster phase: give a throwaway one. Exit status 0 when every
 * check passed, 1 otherwise.
 */
public final class ClusterRefreshLatency {
  static final String APP_ID = "wx5f1e2d3c4b5a6978";
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  static final String TOKEN_PATH = "/api/v3/get-wechat-access-token";
  static final Duration LIFETIME = Duration.ofSeconds(7200);
  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"accessToken\":\"([^\"]+)\"");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ClusterRefreshLatency() {}

  /** One request's outcome: nanoTime when sent and when the whole answer was read. */
  record Exchange(long sent, long done, int status, String body) {
    double latencyMs() {
      return (done - sent) / 1e6;
    }

    String token() {
      Matcher m = ACCESS_TOKEN.matcher(body);
      return m.find() ? m.group(1) : null;
    }
  }

  /** One round: the holder's exchange and the waiters'. */
  record Round(int index, int holder, Exchange holderExchange, List<Exchange> waiters,
      double waitersSentAfterMs) {}

  /** The outcome of one phase. */
  record Phase(String id, String name, List<Round> rounds, long upstreamCalls, int expectedCalls,
      List<String> failures) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args[0].startsWith("--")) {
      System.err.println("usage: ClusterRefreshLatency REDIS_URI [--rounds=200] [--warmup-rounds=30]"
          + " [--upstream-ms=50] [--instances=3] [--gap-ms=5] [--raw=FILE.csv]");
      System.exit(2);
    }
    String redisUri = args[0];
    int rounds = 200;
    int warmupRounds = 30;
    int upstreamMs = 50;
    int instances = 3;
    int gapMs = 5;
    Path raw = null;
    for (String arg : Arrays.copyOfRange(args, 1, args.length)) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected --name=value: " + arg);
      }
      switch (kv[0]) {
        case "--rounds" -> rounds = Integer.parseInt(kv[1]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(kv[1]);
        case "--upstream-ms" -> upstreamMs = Integer.parseInt(kv[1]);
        case "--instances" -> instances = Integer.parseInt(kv[1]);
        case "--gap-ms" -> gapMs = Integer.parseInt(kv[1]);
        case "--raw" -> raw = Path.of(kv[1]);
        default -> throw new IllegalArgumentException("unknown option " + kv[0]);
      }
    }
    if (instances < 2 || rounds < 1) {
      throw new IllegalArgumentException("need --instances >= 2 and --rounds >= 1");
    }
    System.out.printf(Locale.ROOT, "settings: redis %s, %d rounds (+%d warm-up), upstream latency"
        + " %d ms, %d instances, waiters sent %d ms after the holder%n", redisUri, rounds,
        warmupRounds, upstreamMs, instances, gapMs);
    ClusterRefreshLatency bench = new ClusterRefreshLatency();
    Path dir = Files.createTempDirectory("wxtoken-refresh-latency");
    try {
      double[] upstream = upstreamAlone(rounds, warmupRounds, upstreamMs);
      Phase single = bench.single(dir.resolve("single"), rounds, warmupRounds, upstreamMs,
          instances - 1, gapMs);
      Phase cluster = bench.cluster(dir.resolve("cluster"), redisUri, rounds, warmupRounds,
          upstreamMs, instances, gapMs);
      boolean ok = report(List.of(single, cluster), upstream, upstreamMs);
      if (raw != null) {
        writeRaw(raw, List.of(single, cluster));
        System.out.println("raw per-request figures: " + raw);
      }
      System.exit(ok ? 0 : 1);
    } finally {
      deleteTree(dir);
    }
  }

  // --- phases ------------------------------------------------------------------------------

  /**
   * The upstream call alone, for reference: {@link WeChatClient#fetchToken} against a simulator
   * with the same latency, with the server's default timeouts, no wxtoken in between.
   */
  private static double[] upstreamAlone(int rounds, int warmupRounds, int upstreamMs)
      throws Exception {
    System.out.println("phase: upstream call alone ...");
    ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
    try (WeChatSimulator wechat = WeChatSimulator.builder().clock(clock).app(APP_ID, SECRET)
        .start()) {
      ServerConfig defaults = ServerConfig.defaults(Path.of("."), wechat.baseUrl());
      WeChatClient client = new WeChatClient(wechat.baseUrl(), defaults.tokenApi(),
          defaults.wechatConnectTimeout(), defaults.wechatReadTimeout());
      wechat.faults().latency(Duration.ofMillis(upstreamMs));
      double[] measured = new double[rounds];
      for (int r = -warmupRounds; r < rounds; r++) {
        clock.advance(LIFETIME);
        long start = System.nanoTime();
        client.fetchToken(APP_ID, SECRET).get(30, TimeUnit.SECONDS);
        if (r >= 0) {
          measured[r] = (System.nanoTime() - start) / 1e6;
        }
      }
      return measured;
    }
  }

  private Phase single(Path dir, int rounds, int warmupRounds, int upstreamMs, int waiters,
      int gapMs) throws Exception {
    ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
    try (WeChatSimulator wechat = WeChatSimulator.builder().clock(clock).app(APP_ID, SECRET).start();
        WxTokenServer node = WxTokenServer.start(config(dir.resolve("node"), wechat), clock, clock::nanoTime,
            options())) {
      List<WxTokenServer> servers = List.of(node);
      return run("single", "single node, embedded store", servers, clock, wechat, null, rounds,
          warmupRounds, upstreamMs, waiters, gapMs);
    }
  }

  private Phase cluster(Path dir, String redisUri, int rounds, int warmupRounds, int upstreamMs,
      int instances, int gapMs) throws Exception {
    ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
    String masterKey = masterKey();
    try (RedisClient redis = RedisClient.create(redisUri);
        StatefulRedisConnection<String, String> connection = redis.connect();
        WeChatSimulator wechat = WeChatSimulator.builder().clock(clock).app(APP_ID, SECRET)
            .start()) {
      connection.sync().flushdb();
      List<WxTokenServer> servers = new ArrayList<>();
      try {
        for (int i = 0; i < instances; i++) {
          ServerConfig config = config(dir.resolve("instance-" + i), wechat)
              .withRedis(RedisAddress.parse(redisUri))
              .withMasterKey(masterKey);
          servers.add(WxTokenServer.start(config, clock, clock::nanoTime, options()));
        }
        return run("cluster", instances + "-instance cluster, Redis store", servers, clock, wechat,
            connection, rounds, warmupRounds, upstreamMs, instances - 1, gapMs);
      } finally {
        servers.forEach(WxTokenServer::close);
      }
    }
  }

  private static ServerConfig config(Path dir, WeChatSimulator wechat) throws IOException {
    return ServerConfig.defaults(Files.createDirectories(dir), wechat.baseUrl())
        .withPort(0)
        .withVerifyOnly(true); // no stored secret, so no proactive refresh: requests refresh
  }

  /** The engine's defaults, as {@code wxtoken serve} runs it (stable API, default retries). */
  private static TokenService.Options options() {
    return TokenService.Options.defaults(TokenApi.STABLE);
  }

  private static String masterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /**
   * Warms up, then measures {@code rounds} rounds. {@code redis} is null for the single node;
   * otherwise the holder rotates over the instances and the waiters go to the others.
   */
  private Phase run(String id, String name, List<WxTokenServer> servers, ManualClock clock,
      WeChatSimulator wechat, StatefulRedisConnection<String, String> redis, int rounds,
      int warmupRounds, int upstreamMs, int waiters, int gapMs) throws Exception {
    System.out.println("phase: " + name + " ...");
    List<String> failures = new ArrayList<>();
    // First request: the secret check, one upstream call; every instance then learns the token.
    Exchange first = send(servers.get(0)).get(30, TimeUnit.SECONDS);
    if (first.status() != 200 || first.token() == null) {
      throw new IllegalStateException(name + ": first request failed: " + first.body());
    }
    awaitAllHold(servers, first.token());
    // Warm-up of the hit path and the HTTP client (JIT), with no upstream latency yet.
    for (int i = 0; i < 3000; i++) {
      Exchange hit = send(servers.get(i % servers.size())).get(30, TimeUnit.SECONDS);
      if (hit.status() != 200 || !first.token().equals(hit.token())) {
        throw new IllegalStateException(name + ": warm-up hit failed: " + hit.body());
      }
    }
    wechat.faults().latency(Duration.ofMillis(upstreamMs));
    for (int r = 0; r < warmupRounds; r++) {
      round(-1 - r, servers, clock, wechat, redis, waiters, gapMs, failures);
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(name + ": warm-up failed: " + failures);
    }
    long before = wechat.calls(Endpoint.STABLE_TOKEN);
    List<Round> measured = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      measured.add(round(r, servers, clock, wechat, redis, waiters, gapMs, failures));
    }
    Thread.sleep(500); // anything late (a stray second call) would show now
    long calls = wechat.calls(Endpoint.STABLE_TOKEN) - before;
    if (calls != rounds) {
      failures.add(name + ": " + calls + " upstream calls in " + rounds + " rounds");
    }
    long total = wechat.calls(Endpoint.STABLE_TOKEN);
    long expectedTotal = 1L + warmupRounds + rounds;
    if (total != expectedTotal) {
      failures.add(name + ": " + total + " upstream calls in all, expected " + expectedTotal);
    }
    wechat.faults().latency(Duration.ZERO);
    return new Phase(id, name, measured, calls, rounds, failures);
  }

  private Round round(int index, List<WxTokenServer> servers, ManualClock clock,
      WeChatSimulator wechat, StatefulRedisConnection<String, String> redis, int waiters, int gapMs,
      List<String> failures) throws Exception {
    int n = servers.size();
    int holder = Math.floorMod(index, n);
    clock.advance(LIFETIME);
    CompletableFuture<Exchange> holderReply = send(servers.get(holder));
    sleepNanos(TimeUnit.MILLISECONDS.toNanos(gapMs));
    if (redis != null) {
      String lease = "wxtoken:{" + APP_ID + "}:lease";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (redis.sync().exists(lease) == 0) {
        if (System.nanoTime() > deadline) {
          failures.add("round " + index + ": the holder's lease never appeared");
          break;
        }
        sleepNanos(100_000);
      }
    }
    List<CompletableFuture<Exchange>> waiterReplies = new ArrayList<>();
    for (int w = 1; w <= waiters; w++) {
      waiterReplies.add(send(servers.get(n == 1 ? 0 : (holder + w) % n)));
    }
    Exchange h = holderReply.get(30, TimeUnit.SECONDS);
    List<Exchange> ws = new ArrayList<>();
    for (CompletableFuture<Exchange> reply : waiterReplies) {
      ws.add(reply.get(30, TimeUnit.SECONDS));
    }
    String token = h.token();
    if (h.status() != 200 || token == null) {
      failures.add("round " + index + ": holder answered " + h.status() + " " + h.body());
    } else if (!wechat.isValid(token)) {
      failures.add("round " + index + ": holder's token is not valid at the simulator");
    }
    for (Exchange w : ws) {
      if (w.status() != 200 || token == null || !token.equals(w.token())) {
        failures.add("round " + index + ": waiter answered " + w.status() + " " + w.body()
            + " (holder's token " + token + ")");
      }
    }
    return new Round(index, holder, h, ws, (ws.get(0).sent() - h.sent()) / 1e6);
  }

  private CompletableFuture<Exchange> send(WxTokenServer server) {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + TOKEN_PATH))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}"))
        .build();
    long sent = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(response -> new Exchange(sent, System.nanoTime(), response.statusCode(),
            response.body()));
  }

  private static void awaitAllHold(List<WxTokenServer> servers, String token)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (WxTokenServer server : servers) {
      while (!server.tokens().cached(APP_ID).map(AppRecord::token)
          .map(t -> t.value().equals(token)).orElse(false)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("an instance never learned the first token");
        }
        Thread.sleep(10);
      }
    }
  }

  private static void sleepNanos(long nanos) {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  // --- report ------------------------------------------------------------------------------

  private static boolean report(List<Phase> phases, double[] upstream, int upstreamMs) {
    boolean ok = true;
    System.out.println();
    System.out.println("latency in ms: p50 / p90 / p99 / max (min); 'extra' = when a waiter's"
        + " answer arrived minus when the holder's did (negative: before it)");
    String row = "%-34s | %-36s | %-36s | %-36s | %s%n";
    System.out.printf(Locale.ROOT, row, "phase", "holder latency", "waiter latency",
        "waiter extra over holder", "waiters sent after");
    System.out.printf(Locale.ROOT, row, "upstream call alone (no wxtoken)", stats(upstream), "", "",
        "");
    for (Phase phase : phases) {
      double[] holder = phase.rounds().stream().mapToDouble(r -> r.holderExchange().latencyMs())
          .toArray();
      double[] waiter = phase.rounds().stream().flatMap(r -> r.waiters().stream())
          .mapToDouble(Exchange::latencyMs).toArray();
      double[] extra = phase.rounds().stream().flatMap(r -> r.waiters().stream()
          .map(w -> (w.done() - r.holderExchange().done()) / 1e6))
          .mapToDouble(Double::doubleValue).toArray();
      double[] gap = phase.rounds().stream().mapToDouble(Round::waitersSentAfterMs).toArray();
      System.out.printf(Locale.ROOT, row, phase.name(), stats(holder), stats(waiter), stats(extra),
          "median " + fmt(percentile(gap, 50)) + " ms");
      System.out.printf(Locale.ROOT, "%-34s   holder latency over the %d ms upstream latency:"
          + " %s%n", "", upstreamMs, stats(Arrays.stream(holder).map(v -> v - upstreamMs)
          .toArray()));
      System.out.printf(Locale.ROOT, "%-34s   holder p50 over the upstream call alone's p50: %s%n",
          "", fmt(percentile(holder, 50) - percentile(upstream, 50)));
      System.out.printf(Locale.ROOT, "%-34s   upstream calls in %d rounds: %d (expected %d)%n", "",
          phase.rounds().size(), phase.upstreamCalls(), phase.expectedCalls());
      if (!phase.failures().isEmpty()) {
        ok = false;
        phase.failures().stream().limit(10).forEach(f -> System.out.println("  FAILED: " + f));
      }
    }
    System.out.println(ok ? "all checks passed: every answer 200 with the holder's token, valid at"
        + " the simulator; one upstream call per round" : "INVALID: see FAILED lines above");
    return ok;
  }

  private static String stats(double[] values) {
    return fmt(percentile(values, 50)) + " / " + fmt(percentile(values, 90)) + " / "
        + fmt(percentile(values, 99)) + " / " + fmt(percentile(values, 100)) + " ("
        + fmt(percentile(values, 0)) + ")";
  }

  /** Nearest-rank percentile; p = 0 is the minimum. */
  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    if (p <= 0) {
      return sorted[0];
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, "%.2f", ms);
  }

  private static void writeRaw(Path file, List<Phase> phases) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      // phase: single | cluster; round: warm-up rounds are not written; holder_instance: index
      // of the instance the holder request went to; sent_after_ms: when the request was sent,
      // after the holder's
      out.println("phase,round,holder_instance,role,latency_ms,extra_over_holder_ms,sent_after_ms");
      for (Phase phase : phases) {
        for (Round r : phase.rounds()) {
          Exchange h = r.holderExchange();
          out.printf(Locale.ROOT, "%s,%d,%d,holder,%.3f,0,0%n", phase.id(), r.index(), r.holder(),
              h.latencyMs());
          for (Exchange w : r.waiters()) {
            out.printf(Locale.ROOT, "%s,%d,%d,waiter,%.3f,%.3f,%.3f%n", phase.id(), r.index(),
                r.holder(), w.latencyMs(), (w.done() - h.done()) / 1e6, (w.sent() - h.sent()) / 1e6);
          }
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
