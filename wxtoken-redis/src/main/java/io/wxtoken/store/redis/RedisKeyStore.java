package io.wxtoken.store.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.wxtoken.access.CallerKey;
import io.wxtoken.access.KeyCodec;
import io.wxtoken.access.KeyStore;
import io.wxtoken.token.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link KeyStore} on the Redis a cluster shares: hash {@code wxtoken:{keys}} (field: key id,
 * value: the record as versioned JSON, {@link KeyCodec}; never the key), a counter
 * {@code wxtoken:{keys}:version} bumped by every save, and the channel
 * {@code wxtoken:{keys}:changed} on which every save announces the key id, so a revoke reaches
 * every instance at once; the counter lets each instance's one-second reconcile catch a notice a
 * reconnect lost.
 *
 * <p>Thread-safe.
 */
final class RedisKeyStore implements KeyStore {
  static final String KEYS = RedisKeys.PREFIX + "{keys}";
  static final String VERSION = KEYS + ":version";
  static final String CHANGED = KEYS + ":changed";

  private final RedisClusterCommands<String, String> commands;
  private final StatefulRedisPubSubConnection<String, String> changes;

  RedisKeyStore(RedisClusterCommands<String, String> commands,
      StatefulRedisPubSubConnection<String, String> changes) {
    this.commands = commands;
    this.changes = changes;
  }

  @Override
  public void save(CallerKey key) {
    try {
      commands.hset(KEYS, key.id(), KeyCodec.toJson(key, true));
      commands.incr(VERSION);
      commands.publish(CHANGED, key.id());
    } catch (RedisException e) {
      throw new StoreException("cannot save caller key " + key.id() + " in Redis", e);
    }
  }

  @Override
  public Optional<CallerKey> load(String id) {
    try {
      String json = commands.hget(KEYS, id);
      return json == null ? Optional.empty() : Optional.of(KeyCodec.fromJson(json));
    } catch (RedisException e) {
      throw new StoreException("cannot read caller key " + id + " from Redis", e);
    }
  }

  @Override
  public List<CallerKey> loadAll() {
    try {
      List<CallerKey> all = new ArrayList<>();
      commands.hgetall(KEYS).values().forEach(json -> all.add(KeyCodec.fromJson(json)));
      return all;
    } catch (RedisException e) {
      throw new StoreException("cannot read the caller keys from Redis", e);
    }
  }

  @Override
  public long version() {
    try {
      String v = commands.get(VERSION);
      return v == null ? 0 : Long.parseLong(v);
    } catch (RedisException e) {
      throw new StoreException("cannot read the caller keys' version from Redis", e);
    }
  }

  @Override
  public void listen(Consumer<String> changed) {
    changes.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        if (CHANGED.equals(channel)) {
          // Off Lettuce's I/O thread: the listener reads the key back with a blocking command.
          java.util.concurrent.ForkJoinPool.commonPool().execute(() -> changed.accept(message));
        }
      }
    });
    changes.sync().subscribe(CHANGED);
  }
}
