package io.wxtoken.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.Cluster;
import io.wxtoken.token.Lease;
import io.wxtoken.token.Verifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The store on a real Redis Cluster and behind a real Sentinel, not just one server. */
class RedisTopologiesTest {
  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  @Test
  void worksOnARedisClusterWithAppsSpreadOverItsNodes() throws Exception {
    List<RedisServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(RedisServerProcess.startClusterNode());
      }
      formCluster(nodes);
      String uri = "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port())
          .collect(Collectors.joining(","));
      try (RedisStore a = RedisStore.connect(RedisAddress.parse(uri),
              RedisStoreTest.SIGNER, RedisStore.Options.defaults());
          RedisStore b = RedisStore.connect(RedisAddress.parse(uri),
              RedisStoreTest.SIGNER, RedisStore.Options.defaults())) {
        BlockingQueue<String> heard = listen(b);
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // hash tags put these in many slots, on every node
          String appId = "wxapp" + i;
          apps.add(appId);
          Lease lease = a.tryLease(appId);
          assertThat(lease.isGranted()).isTrue();
          assertThat(b.tryLease(appId).isGranted()).isFalse();
          assertThat(a.save(record(appId, 1), lease)).isTrue();
          assertThat(b.save(record(appId, 1))).isFalse();
          a.release(lease);
        }
        assertThat(b.loadAll()).extracting(AppRecord::appId).containsExactlyInAnyOrderElementsOf(apps);
        assertThat(b.load("wxapp7").orElseThrow().token().value()).isEqualTo("tok-wxapp7-1");
        // Notices come from the node that owns each app's slot: every one arrives, in no
        // particular order across apps.
        List<String> notices = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          notices.add(heard.poll(5, TimeUnit.SECONDS));
        }
        List<String> expected = new ArrayList<>();
        apps.forEach(app -> {
          expected.add("saved " + app);
          expected.add("released " + app);
        });
        assertThat(notices).containsExactlyInAnyOrderElementsOf(expected);
      }
    } finally {
      nodes.forEach(RedisServerProcess::close);
    }
  }

  @Test
  void findsTheMasterThroughSentinel() throws Exception {
    try (RedisServerProcess master = RedisServerProcess.start();
        RedisServerProcess sentinel = RedisServerProcess.startSentinel(master.port(), "wxmaster")) {
      RedisAddress address = RedisAddress.parse(
          "redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#wxmaster");
      try (RedisStore a = RedisStore.connect(address,
              RedisStoreTest.SIGNER, RedisStore.Options.defaults());
          RedisStore b = RedisStore.connect(address,
              RedisStoreTest.SIGNER, RedisStore.Options.defaults())) {
        BlockingQueue<String> heard = listen(b);
        Lease lease = a.tryLease("wx1");
        assertThat(a.save(record("wx1", 1), lease)).isTrue();
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("saved wx1");
        try (RedisClient direct = RedisClient.create(master.uri());
            StatefulRedisConnection<String, String> c = direct.connect()) {
          assertThat(c.sync().hget("wxtoken:{wx1}:token", "gen")).isEqualTo("1");
        }
      }
    }
  }

  static AppRecord record(String appId, long generation) {
    return new AppRecord(appId, Verifier.of(new byte[] {7}), null,
        new AccessToken("tok-" + appId + "-" + generation, T0, T0.plusSeconds(7200)), generation);
  }

  static BlockingQueue<String> listen(RedisStore store) {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    store.listen(new Cluster.Listener() {
      @Override
      public void saved(AppRecord record) {
        heard.add("saved " + record.appId());
      }

      @Override
      public void released(String appId) {
        heard.add("released " + appId);
      }

      @Override
      public void reconnected() {}
    });
    return heard;
  }

  /** Splits the 16384 slots over the nodes, introduces them, and waits for the cluster to be ok. */
  static void formCluster(List<RedisServerProcess> nodes) throws InterruptedException {
    List<RedisClient> clients = new ArrayList<>();
    List<RedisCommands<String, String>> commands = new ArrayList<>();
    try {
      for (RedisServerProcess node : nodes) {
        RedisClient client = RedisClient.create(node.uri());
        clients.add(client);
        commands.add(client.connect().sync());
      }
      int per = 16384 / nodes.size();
      for (int i = 0; i < nodes.size(); i++) {
        int from = i * per;
        int to = i == nodes.size() - 1 ? 16383 : from + per - 1;
        commands.get(i).clusterAddSlots(java.util.stream.IntStream.rangeClosed(from, to).toArray());
      }
      for (int i = 1; i < nodes.size(); i++) {
        commands.get(0).clusterMeet("127.0.0.1", nodes.get(i).port());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!commands.stream().allMatch(c -> c.clusterInfo().contains("cluster_state:ok"))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the Redis cluster did not form within 30 s");
        }
        Thread.sleep(100);
      }
    } finally {
      clients.forEach(RedisClient::shutdown);
    }
  }

}
