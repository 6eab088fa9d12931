package io.wxtoken.token;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Measures the engine with N registered apps (default 100,000), all fetched in the same second:
 * heap per app once they are loaded and scheduled, how their proactive refreshes spread, and the
 * CPU time of an idle scheduler tick. Run: {@code java -cp bench/target/benchmarks.jar
 * io.wxtoken.token.SchedulerFootprint [N]}. It makes no network calls (no refresh comes due).
 */
public final class SchedulerFootprint {
  private SchedulerFootprint() {}

  public static void main(String[] args) throws Exception {
    int apps = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Instant fetched = Instant.parse("2026-11-25T02:00:00Z");
    Clock clock = Clock.fixed(fetched.plusSeconds(1), ZoneOffset.UTC);
    Path dir = Files.createTempDirectory("wxtoken-footprint-");
    SecretBox box = new SecretBox(MasterKey.fromBase64(
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), List.of());
    SecretHasher hasher = new SecretHasher(new byte[32]);
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try (H2TokenStore store = H2TokenStore.open(dir)) {
      long writeStart = System.nanoTime();
      for (int i = 0; i < apps; i++) {
        String appId = String.format("wx%016x", i);
        String secret = String.format("%032x", i);
        store.save(new AppRecord(appId, hasher.hash(appId, secret),
            new String(box.seal(appId, secret), StandardCharsets.US_ASCII),
            new AccessToken("t".repeat(136), fetched, fetched.plusSeconds(7200)), 1));
      }
      System.out.printf("stored %,d apps in %.1f s%n", apps, (System.nanoTime() - writeStart) / 1e9);

      WeChatClient unused = new WeChatClient(URI.create("http://127.0.0.1:9"), TokenApi.STABLE,
          Duration.ofSeconds(1), Duration.ofSeconds(1));
      long before = usedHeap();
      TokenService tokens = new TokenService(store, unused, hasher, box, clock, System::nanoTime, executor,
          TokenService.Options.defaults(TokenApi.STABLE));
      long loadStart = System.nanoTime();
      tokens.scheduleStored();
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      long after = usedHeap();
      System.out.printf("loaded and scheduled in %.1f s; heap +%,d bytes = %,d bytes per app"
          + " (record, verifier, sealed secret, 136-char token, schedule entry)%n",
          loadSeconds, after - before, (after - before) / apps);

      Map<Long, Integer> perSecond = new TreeMap<>();
      for (int i = 0; i < apps; i++) {
        Instant next = tokens.status(String.format("wx%016x", i)).orElseThrow().nextRefreshAt();
        perSecond.merge(next.getEpochSecond(), 1, Integer::sum);
      }
      int max = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      long first = perSecond.keySet().iterator().next();
      long last = ((TreeMap<Long, Integer>) perSecond).lastKey();
      System.out.printf("refreshes spread over %d distinct seconds (%d s to %d s before expiry);"
          + " at most %d in one second (%.0f per second on average)%n", perSecond.size(),
          fetched.plusSeconds(7200).getEpochSecond() - first,
          fetched.plusSeconds(7200).getEpochSecond() - last, max, (double) apps / perSecond.size());

      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int ticks = 100_000;
      for (int i = 0; i < ticks; i++) {
        tokens.refreshDue(); // warm-up: nothing is due at the fixed clock
      }
      long cpuStart = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < ticks; i++) {
        tokens.refreshDue();
      }
      System.out.printf("idle tick: %.0f ns CPU each (mean of %,d)%n",
          (threads.getCurrentThreadCpuTime() - cpuStart) / (double) ticks, ticks);
      if (tokens.statuses().size() != apps) {
        throw new IllegalStateException("not every app is loaded");
      }
    } finally {
      executor.shutdownNow();
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
