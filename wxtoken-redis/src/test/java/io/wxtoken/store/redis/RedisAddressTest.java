package io.wxtoken.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisAddressTest {

  @Test
  void readsAServerWithDatabaseAndPassword() {
    RedisAddress address = RedisAddress.parse("redis://:s3cret@10.0.0.5:6380/2");
    assertThat(address.isCluster()).isFalse();
    assertThat(address.uri().getHost()).isEqualTo("10.0.0.5");
    assertThat(address.uri().getPort()).isEqualTo(6380);
    assertThat(address.uri().getDatabase()).isEqualTo(2);
    assertThat(address.toString()).isEqualTo("redis://:***@10.0.0.5:6380/2")
        .doesNotContain("s3cret");
  }

  @Test
  void readsTlsSentinelAndClusterAddresses() {
    assertThat(RedisAddress.parse("rediss://user:pw@redis.internal:6379").uri().isSsl()).isTrue();
    RedisAddress sentinel = RedisAddress.parse("redis-sentinel://s1:26379,s2:26379/0#mymaster");
    assertThat(sentinel.uri().getSentinels()).hasSize(2);
    assertThat(sentinel.uri().getSentinelMasterId()).isEqualTo("mymaster");
    RedisAddress cluster = RedisAddress.parse("redis-cluster://pw@n1:7000,n2:7001,n3:7002");
    assertThat(cluster.isCluster()).isTrue();
    assertThat(cluster.nodes()).extracting(uri -> uri.getHost() + ":" + uri.getPort())
        .containsExactly("n1:7000", "n2:7001", "n3:7002");
    assertThat(cluster.nodes().get(0).getCredentialsProvider()).isNotNull();
    assertThat(cluster.toString()).isEqualTo("redis-cluster://***@n1:7000,n2:7001,n3:7002");
    assertThat(RedisAddress.parse("rediss-cluster://n1:7000").nodes().get(0).isSsl()).isTrue();
  }

  @Test
  void knowsWhichStoreSpecsAreRedis() {
    assertThat(RedisAddress.isRedis("redis://h")).isTrue();
    assertThat(RedisAddress.isRedis("REDIS-CLUSTER://h:1")).isTrue();
    assertThat(RedisAddress.isRedis("file:./data")).isFalse();
  }

  @Test
  void refusesUnusableAddressesWithoutShowingThePassword() {
    assertThatThrownBy(() -> RedisAddress.parse("redis-cluster://pw@n1:7000/3"))
        .hasMessageContaining("no databases").hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> RedisAddress.parse("redis-cluster://pw@n1:7000,,n2"))
        .hasMessageContaining("empty host").hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> RedisAddress.parse("redis://:hunter2@/0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
  }
}
