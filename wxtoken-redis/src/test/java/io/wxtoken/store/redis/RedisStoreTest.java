package io.wxtoken.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.secret.MasterKey;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.Cluster;
import io.wxtoken.token.Lease;
import io.wxtoken.token.QuotaUsage;
import io.wxtoken.token.StoreException;
import io.wxtoken.token.Verifier;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisStoreTest {
  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
  /** The notices' signer of every instance in these tests: one master key for all. */
  static final NoticeSigner SIGNER = NoticeSigner.of(MasterKey.fromBase64(
      "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="), List.of());
  static RedisServerProcess redis;

  RedisStore a;
  RedisStore b;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void connect() {
    redis.startAgain();
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushall();
    }
    a = connect(Duration.ofSeconds(30));
    b = connect(Duration.ofSeconds(30));
  }

  RedisStore connect(Duration leaseTime) {
    return RedisStore.connect(RedisAddress.parse(redis.uri()), SIGNER,
        RedisStore.Options.defaults().withLeaseTime(leaseTime));
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  static AppRecord record(String appId, String token, long generation, String sealed) {
    return new AppRecord(appId, Verifier.of(new byte[] {1, 2, 3, (byte) generation}), sealed,
        new AccessToken(token, T0, T0.plusSeconds(7200)), generation);
  }

  @Test
  void savesAndLoadsRecordsWithTheirSealedSecrets() {
    AppRecord record = record("wx1", "tok-1", 1, "v1.k.n.c");
    assertThat(a.save(record)).isTrue();
    assertThat(b.load("wx1")).hasValueSatisfying(loaded -> {
      assertThat(loaded.token()).isEqualTo(record.token());
      assertThat(loaded.verifier()).isEqualTo(record.verifier());
      assertThat(loaded.sealedSecret()).isEqualTo("v1.k.n.c");
      assertThat(loaded.generation()).isEqualTo(1);
    });
    assertThat(b.save(record("wx2", "tok-2", 1, null))).isTrue();
    assertThat(b.load("wx2").orElseThrow().hasSealedSecret()).isFalse();
    assertThat(a.load("nobody")).isEmpty();
    assertThat(a.loadAll()).extracting(AppRecord::appId).containsExactlyInAnyOrder("wx1", "wx2");
  }

  @Test
  void writesOnlyAHigherGeneration() {
    assertThat(a.save(record("wx1", "tok-2", 2, null))).isTrue();
    assertThat(b.save(record("wx1", "tok-late", 2, null))).isFalse();
    assertThat(b.save(record("wx1", "tok-old", 1, null))).isFalse();
    assertThat(a.load("wx1").orElseThrow().token().value()).isEqualTo("tok-2");
    assertThat(b.save(record("wx1", "tok-3", 3, null))).isTrue();
    assertThat(a.load("wx1").orElseThrow().token().value()).isEqualTo("tok-3");
  }

  @Test
  void leaseIsExclusiveUntilGivenBack() {
    Lease mine = a.tryLease("wx1");
    assertThat(mine.isGranted()).isTrue();
    Lease theirs = b.tryLease("wx1");
    assertThat(theirs.isGranted()).isFalse();
    assertThat(theirs.heldFor()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(a.tryLease("wx1").isGranted()).as("not even its own instance twice").isFalse();

    b.release(Lease.granted("wx1", "impostor")); // compare-and-delete: not the owner
    assertThat(b.tryLease("wx1").isGranted()).isFalse();

    a.release(mine);
    assertThat(b.tryLease("wx1").isGranted()).isTrue();
  }

  @Test
  void leaseLapsesWhenItsHolderDisappears() throws Exception {
    RedisStore shortLeases = connect(Duration.ofMillis(300));
    try {
      assertThat(shortLeases.tryLease("wx1").isGranted()).isTrue();
      Lease waiting = b.tryLease("wx1");
      assertThat(waiting.isGranted()).isFalse();
      assertThat(waiting.heldFor()).isLessThanOrEqualTo(Duration.ofMillis(300));
      Thread.sleep(waiting.heldFor().toMillis() + 50);
      assertThat(b.tryLease("wx1").isGranted()).isTrue();
    } finally {
      shortLeases.close();
    }
  }

  @Test
  void fencingRejectsTheWriteOfALeaseThatLapsedWhileAnotherInstanceTookOver() throws Exception {
    assertThat(a.save(record("wx1", "tok-1", 1, null))).isTrue();
    RedisStore slow = connect(Duration.ofMillis(200));
    try {
      Lease lapsed = slow.tryLease("wx1");
      Thread.sleep(300); // a GC pause, a slow WeChat: the lease runs out mid-flight
      Lease takeover = b.tryLease("wx1");
      assertThat(takeover.isGranted()).isTrue();

      assertThat(slow.save(record("wx1", "tok-late", 2, null), lapsed))
          .as("the late writer's generation is new, but the lease is another's").isFalse();
      assertThat(b.save(record("wx1", "tok-2", 2, null), takeover)).isTrue();
      assertThat(slow.save(record("wx1", "tok-late", 2, null), lapsed)).isFalse();
      assertThat(a.load("wx1").orElseThrow().token().value()).isEqualTo("tok-2");
    } finally {
      slow.close();
    }
  }

  @Test
  void aLapsedLeaseNobodyTookStillWrites() throws Exception {
    RedisStore slow = connect(Duration.ofMillis(100));
    try {
      Lease lapsed = slow.tryLease("wx1");
      Thread.sleep(200);
      assertThat(slow.save(record("wx1", "tok-1", 1, null), lapsed)).isTrue();
    } finally {
      slow.close();
    }
  }

  @Test
  void announcesSavesAndReleasesToEveryInstance() throws Exception {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    b.listen(new Cluster.Listener() {
      @Override
      public void saved(AppRecord record) {
        heard.add("saved " + record.appId() + " " + record.token().value() + " "
            + record.generation());
      }

      @Override
      public void released(String appId) {
        heard.add("released " + appId);
      }

      @Override
      public void reconnected() {
        heard.add("reconnected");
      }
    });
    Lease lease = a.tryLease("wx1");
    a.save(record("wx1", "tok-1", 1, "sealed"), lease);
    a.release(lease);
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("saved wx1 tok-1 1");
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("released wx1");

    a.save(record("wx1", "tok-0", 1, null));
    assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).as("a refused write is not announced")
        .isNull();
  }

  @Test
  void secretChecksAreBudgetedPerAppAndAddressAcrossInstances() {
    Verifier one = Verifier.of(new byte[] {1});
    Verifier other = Verifier.of(new byte[] {2});
    Duration minute = Duration.ofMinutes(1);
    assertThat(a.reserveSecretCheck("wx1", one, "10.0.0.1", minute)).isTrue();
    assertThat(b.reserveSecretCheck("wx1", other, "10.0.0.1", minute)).isFalse();
    assertThat(b.reserveSecretCheck("wx1", one, "10.0.0.1", minute))
        .as("the same secret's check, taken over from an instance that died making it").isTrue();
    assertThat(b.reserveSecretCheck("wx1", other, "10.0.0.2", minute))
        .as("another address has its own check").isTrue();
    assertThat(b.reserveSecretCheck("wx2", other, "10.0.0.1", minute)).isTrue();
    assertThat(a.reserveSecretCheck("wx1", one, "2001:db8::/64", minute)).isTrue();
    assertThat(b.reserveSecretCheck("wx1", other, "2001:db8::/64", minute)).isFalse();
  }

  @Test
  void aSecretCheckSlotIsTimedByRedisNotByTheInstances() throws Exception {
    Verifier one = Verifier.of(new byte[] {1});
    Verifier other = Verifier.of(new byte[] {2});
    Duration interval = Duration.ofMillis(300);
    long started = System.nanoTime();
    assertThat(a.reserveSecretCheck("wx1", one, "10.0.0.1", interval)).isTrue();
    boolean refusedAtOnce = !b.reserveSecretCheck("wx1", other, "10.0.0.1", interval);
    long elapsed = System.nanoTime() - started;
    if (elapsed < interval.toNanos()) {
      assertThat(refusedAtOnce).isTrue();
    }
    // No clock is passed: the slot ends when Redis expires it, whatever the instances' clocks say.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!b.reserveSecretCheck("wx1", other, "10.0.0.1", interval)) {
      assertThat(System.nanoTime()).as("the slot lapses in Redis").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void keepsQuotaUsage() {
    QuotaUsage usage = new QuotaUsage(LocalDate.of(2026, 11, 25), 7, 2, T0.plusSeconds(60));
    a.saveQuota("wx1", usage);
    assertThat(b.loadQuota("wx1")).contains(usage);
    assertThat(b.loadQuota("wx2")).isEmpty();
  }

  @Test
  void sharedSettingsKeepTheFirstValue() {
    assertThat(a.sharedSetting("secret-hash-key", "first")).isEqualTo("first");
    assertThat(b.sharedSetting("secret-hash-key", "second")).isEqualTo("first");
    b.replaceSharedSetting("secret-hash-key", "other", "third");
    assertThat(a.sharedSetting("secret-hash-key", "x")).isEqualTo("first");
    b.replaceSharedSetting("secret-hash-key", "first", "third");
    assertThat(a.sharedSetting("secret-hash-key", "x")).isEqualTo("third");
  }

  @Test
  void refusesValuesOfAFormatItDoesNotKnow() {
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().hset("wxtoken:{wx1}:token", Map.of("v", "2", "gen", "1", "record", "{\"v\":2}"));
    }
    assertThatThrownBy(() -> a.load("wx1")).isInstanceOf(StoreException.class)
        .hasMessageContaining("format version 2");
  }

  @Test
  void reportsAnOutageAndTheReconnection() throws Exception {
    AtomicInteger reconnections = new AtomicInteger();
    a.listen(new Cluster.Listener() {
      @Override
      public void saved(AppRecord record) {}

      @Override
      public void released(String appId) {}

      @Override
      public void reconnected() {
        reconnections.incrementAndGet();
      }
    });
    assertThat(a.isConnected()).isTrue();
    redis.stop();
    awaitConnected(a, false);
    assertThatThrownBy(() -> a.save(record("wx1", "tok-1", 1, null)))
        .isInstanceOf(StoreException.class).hasMessageContaining("127.0.0.1:" + redis.port());
    assertThatThrownBy(() -> a.tryLease("wx1")).isInstanceOf(StoreException.class);

    redis.startAgain();
    awaitConnected(a, true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reconnections.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(reconnections).hasValue(1);
    assertThat(a.save(record("wx1", "tok-1", 1, null))).isTrue();
  }

  @Test
  void dropsNoticesThatAreNotAuthenticatedWithTheClustersMasterKey() throws Exception {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    b.listen(new Cluster.Listener() {
      @Override
      public void saved(AppRecord record) {
        heard.add("saved " + record.token().value());
      }

      @Override
      public void released(String appId) {
        heard.add("released " + appId);
      }

      @Override
      public void reconnected() {}
    });
    String forged = new RecordCodec().encode(record("wx1", "forged-token", 99, null));
    NoticeSigner otherKey = NoticeSigner.of(MasterKey.fromBase64(
        "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="), List.of());
    String genuine = SIGNER.sign("saved\n" + new RecordCodec().encode(
        record("wx1", "real-token", 1, null)));
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().publish("wxtoken:events", "saved\n" + forged); // the unsigned format
      c.sync().publish("wxtoken:events", otherKey.sign("saved\n" + forged));
      c.sync().publish("wxtoken:events", genuine.replace("real-token", "fake-token"));
      c.sync().publish("wxtoken:events", genuine.substring(0, 43) + ":released\nwx1");
      c.sync().publish("wxtoken:events", "x".repeat(43) + ":released\nwx1");
      c.sync().publish("wxtoken:events", "");
    }
    Lease lease = a.tryLease("wx1");
    a.save(record("wx1", "tok-1", 1, null), lease);
    a.release(lease);

    // only the genuine notices arrive, in order after the forged ones were dropped
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("saved tok-1");
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("released wx1");
    assertThat(heard).isEmpty();
    assertThat(b.rejectedNotices()).isEqualTo(6);
    // and the notice a genuine instance signed is accepted as it is (replays are fenced by
    // generation in the engine)
    assertThat(SIGNER.verify(genuine)).startsWith("saved\n");
    // a previous master key's notices are still accepted during a rotation
    NoticeSigner rotated = NoticeSigner.of(MasterKey.fromBase64(
        "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="), List.of(MasterKey.fromBase64(
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")));
    assertThat(rotated.verify(genuine)).isEqualTo(SIGNER.verify(genuine));
  }

  /**
   * Lettuce's default reconnection back-off doubles up to 30 s, so after an outage of a few
   * seconds it would try again only seconds after Redis is back; the store's bounded delay finds
   * it within about a second, and readiness and notices follow.
   */
  @Test
  void afterALongOutageReconnectsWithinTwoSecondsOfRedisAnsweringAgain() throws Exception {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    AtomicInteger reconnections = new AtomicInteger();
    b.listen(new Cluster.Listener() {
      @Override
      public void saved(AppRecord record) {
        heard.add("saved " + record.token().value());
      }

      @Override
      public void released(String appId) {}

      @Override
      public void reconnected() {
        reconnections.incrementAndGet();
      }
    });
    redis.stop();
    awaitConnected(a, false);
    awaitConnected(b, false);
    // Down long enough for the default back-off to grow past 4 s (attempts ~4.1 s, then ~8.2 s,
    // then ~16.4 s after the drop).
    Thread.sleep(10_000);

    redis.startAgain();
    long back = System.nanoTime();
    long deadline = back + TimeUnit.SECONDS.toNanos(15);
    while (!(a.isConnected() && b.isConnected() && reconnections.get() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long readyAfter = System.nanoTime() - back;
    Lease lease = a.tryLease("wx1");
    a.save(record("wx1", "after-outage", 1, null), lease);
    a.release(lease);
    String notice = heard.poll(5, TimeUnit.SECONDS);
    long noticedAfter = System.nanoTime() - back;

    assertThat(a.isConnected() && b.isConnected()).isTrue();
    assertThat(reconnections).hasValue(1);
    assertThat(notice).isEqualTo("saved after-outage");
    assertThat(Duration.ofNanos(readyAfter)).isLessThan(Duration.ofMillis(2500));
    assertThat(Duration.ofNanos(noticedAfter)).isLessThan(Duration.ofMillis(3000));
  }

  static void awaitConnected(RedisStore store, boolean connected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (store.isConnected() != connected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(store.isConnected()).isEqualTo(connected);
  }

  @Test
  void listsOnlyAppsWithRecords() {
    a.saveQuota("wx9", QuotaUsage.none(LocalDate.of(2026, 11, 25)));
    a.tryLease("wx8");
    assertThat(a.loadAll()).isEmpty();
    a.save(record("wx1", "t", 1, null));
    assertThat(b.loadAll()).extracting(AppRecord::appId).isEqualTo(List.of("wx1"));
  }
}
