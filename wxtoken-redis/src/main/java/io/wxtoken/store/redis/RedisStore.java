package io.wxtoken.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.Cluster;
import io.wxtoken.token.Lease;
import io.wxtoken.token.QuotaUsage;
import io.wxtoken.token.StoreException;
import io.wxtoken.token.TokenStore;
import io.wxtoken.token.Verifier;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store that several wxtoken instances share, on Redis (one server, Sentinel or Cluster):
 * a {@link TokenStore} and the {@link Cluster} that makes the instances act as one.
 *
 * <ul>
 *   <li><b>Records</b> are hashes whose {@code gen} field fences writes: the {@link Scripts#SAVE}
 *       script writes only a higher generation, and only while no other instance holds the app's
 *       lease, so a writer whose lease lapsed mid-fetch cannot replace a newer token.
 *   <li><b>Leases</b> are {@code SET NX PX} keys with a unique owner id, given back by a
 *       compare-and-delete script.
 *   <li><b>Notices</b>: every save and release is published on {@code wxtoken:events} by the
 *       script that makes it, so no change goes unannounced; each carries a MAC under a key
 *       derived from the master key ({@link NoticeSigner}), and one that does not verify is
 *       dropped and counted, never adopted.
 *   <li><b>Durability</b> is Redis's: run it with {@code appendonly yes} (README).
 * </ul>
 *
 * <p>Commands fail fast while disconnected (Lettuce reconnects by itself, at most
 * {@link #RECONNECT_MAX} apart) and are bounded by the
 * command timeout; failures surface as {@link StoreException}. A ping each second keeps
 * {@link #isConnected()} current and reports a reconnection to the engine. Thread-safe.
 */
public final class RedisStore implements TokenStore, Cluster {
  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
  private static final String SAVED = "saved\n";
  private static final String RELEASED = "released\n";
  /**
   * Bounds of the wait between reconnection attempts (Lettuce's default grows to 30 s): a restarted
   * Redis is used again within about a second of answering, instead of instances acting alone
   * meanwhile. Jittered so a cluster's instances do not knock in step.
   */
  static final Duration RECONNECT_MIN = Duration.ofMillis(50);
  static final Duration RECONNECT_MAX = Duration.ofSeconds(1);
  /** Quota counts are for one WeChat day; two days covers any time zone and late reads. */
  private static final long QUOTA_TTL_MILLIS = Duration.ofDays(2).toMillis();

  /**
   * Tunables.
   *
   * @param leaseTime how long an app's refresh lease lasts: longer than any one flight (WeChat
   *     calls with their retries), or a live holder loses it and must start over
   * @param commandTimeout bound on each Redis command
   * @param pingInterval how often reachability is checked
   */
  public record Options(Duration leaseTime, Duration commandTimeout, Duration pingInterval) {
    public Options {
      Objects.requireNonNull(leaseTime, "leaseTime");
      Objects.requireNonNull(commandTimeout, "commandTimeout");
      Objects.requireNonNull(pingInterval, "pingInterval");
    }

    /** Lease 30 s, commands 2 s, a ping every second. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    public Options withLeaseTime(Duration value) {
      return new Options(value, commandTimeout, pingInterval);
    }
  }

  private final RedisAddress address;
  private final Options options;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> commands;
  private final RedisClusterAsyncCommands<String, String> async;
  private final StatefulRedisPubSubConnection<String, String> events;
  private final String instanceId = UUID.randomUUID().toString();
  private final AtomicLong leaseSequence = new AtomicLong();
  private final RecordCodec codec = new RecordCodec();
  private final NoticeSigner signer;
  private final AtomicLong rejectedNotices = new AtomicLong();
  private final ScheduledFuture<?> pinger;
  private volatile Listener listener;
  private volatile boolean reachable = true;
  private volatile boolean closed;

  private RedisStore(RedisAddress address, NoticeSigner signer, Options options,
      ClientResources resources, AbstractRedisClient client,
      StatefulConnection<String, String> connection, RedisClusterCommands<String, String> commands,
      RedisClusterAsyncCommands<String, String> async,
      StatefulRedisPubSubConnection<String, String> events) {
    this.address = address;
    this.signer = signer;
    this.options = options;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.async = async;
    this.events = events;
    events.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        onEvent(message);
      }
    });
    events.sync().subscribe(RedisKeys.EVENTS);
    // A drop is noticed at once, even if Redis is back before the next ping: notices sent in
    // between are lost, and the engine must hear of the reconnection to re-read the records.
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        reachable(false, null);
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress remote) {
        // Back: check soon (once the connection's handshake is done) rather than at the next
        // ping, so readiness and the re-read follow within a fraction of a second.
        client.getResources().eventExecutorGroup()
            .schedule(RedisStore.this::ping, 100, TimeUnit.MILLISECONDS);
      }
    });
    long every = options.pingInterval().toMillis();
    this.pinger = client.getResources().eventExecutorGroup()
        .scheduleWithFixedDelay(this::ping, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Connects to Redis and subscribes to the instances' notices.
   *
   * @param signer authenticates the notices: every instance needs one from the same master key
   * @throws StoreException if Redis cannot be reached now
   */
  public static RedisStore connect(RedisAddress address, NoticeSigner signer, Options options) {
    Objects.requireNonNull(signer, "signer");
    TimeoutOptions timeouts = TimeoutOptions.enabled(options.commandTimeout());
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.equalJitter(RECONNECT_MIN, RECONNECT_MAX, 100, TimeUnit.MILLISECONDS))
        .build();
    AbstractRedisClient client = null;
    try {
      if (address.isCluster()) {
        RedisClusterClient cluster = RedisClusterClient.create(resources, address.nodes());
        client = cluster;
        // Node connections open on first use, so commands wait for them (bounded by the command
        // timeout) rather than being rejected while a node's connection is still being made.
        cluster.setOptions(ClusterClientOptions.builder()
            .timeoutOptions(timeouts)
            .build());
        StatefulRedisClusterConnection<String, String> connection = cluster.connect();
        return new RedisStore(address, signer, options, resources, cluster, connection,
            connection.sync(), connection.async(), cluster.connectPubSub());
      }
      RedisClient single = RedisClient.create(resources, address.uri());
      client = single;
      single.setOptions(ClientOptions.builder()
          .timeoutOptions(timeouts)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .build());
      StatefulRedisConnection<String, String> connection = single.connect();
      return new RedisStore(address, signer, options, resources, single, connection,
          connection.sync(), connection.async(), single.connectPubSub());
    } catch (RedisException e) {
      if (client != null) {
        client.shutdown();
      }
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new StoreException("cannot connect to Redis at " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * The caller keys kept in this Redis ({@link RedisKeyStore}), with a subscription of their own
   * to the key change notices.
   */
  public io.wxtoken.access.KeyStore keyStore() {
    StatefulRedisPubSubConnection<String, String> changes =
        client instanceof RedisClusterClient cluster ? cluster.connectPubSub()
            : ((RedisClient) client).connectPubSub();
    return new RedisKeyStore(commands, changes);
  }

  /** An audit log kept in this Redis: a stream capped at about {@code maxLen} records. */
  public io.wxtoken.audit.AuditStore auditStore(long maxLen) {
    if (maxLen < 1) {
      throw new IllegalArgumentException("maxLen must be positive");
    }
    return new RedisAuditStore(commands, maxLen);
  }

  /** Where this store is (password hidden). */
  public RedisAddress address() {
    return address;
  }

  // ------------------------------------------------------------------------------ TokenStore

  @Override
  public Optional<AppRecord> load(String appId) {
    String value = call("read app " + appId,
        () -> commands.hget(RedisKeys.app(appId, RedisKeys.TOKEN), "record"));
    return value == null ? Optional.empty() : Optional.of(decode(value));
  }

  @Override
  public boolean save(AppRecord record) {
    return save(record, null);
  }

  @Override
  public boolean save(AppRecord record, Lease lease) {
    String appId = record.appId();
    String value = codec.encode(record);
    String owner = lease == null || !lease.isGranted() ? "" : lease.owner();
    Long written = call("write app " + appId, () -> commands.eval(Scripts.SAVE,
        ScriptOutputType.INTEGER,
        new String[] {RedisKeys.app(appId, RedisKeys.TOKEN), RedisKeys.app(appId, RedisKeys.LEASE)},
        Long.toString(record.generation()), value, owner, RedisKeys.EVENTS,
        signer.sign(SAVED + value),
        Integer.toString(RecordCodec.VERSION)));
    if (written != 1) {
      return false;
    }
    try {
      commands.sadd(RedisKeys.APPS, appId); // another slot in a cluster: not in the script
    } catch (RedisException e) {
      log.warn("app {} saved, but not yet listed in {}; its next save lists it", appId,
          RedisKeys.APPS, e);
    }
    return true;
  }

  @Override
  public List<AppRecord> loadAll() {
    List<String> appIds = new ArrayList<>(call("list the apps",
        () -> commands.smembers(RedisKeys.APPS)));
    // Pipelined: one round trip's worth of waiting for any number of apps.
    List<CompletableFuture<String>> reads = new ArrayList<>(appIds.size());
    for (String appId : appIds) {
      reads.add(async.hget(RedisKeys.app(appId, RedisKeys.TOKEN), "record").toCompletableFuture());
    }
    List<AppRecord> all = new ArrayList<>(appIds.size());
    for (CompletableFuture<String> read : reads) {
      String value = call("read the apps", () -> join(read));
      if (value != null) {
        all.add(decode(value));
      }
    }
    return all;
  }

  @Override
  public Optional<QuotaUsage> loadQuota(String appId) {
    String value = call("read the quota of app " + appId,
        () -> commands.get(RedisKeys.app(appId, RedisKeys.QUOTA)));
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decodeQuota(value));
    } catch (IllegalStateException e) {
      throw new StoreException("the quota of app " + appId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void saveQuota(String appId, QuotaUsage usage) {
    call("write the quota of app " + appId, () -> commands.set(
        RedisKeys.app(appId, RedisKeys.QUOTA), codec.encode(usage),
        SetArgs.Builder.px(QUOTA_TTL_MILLIS)));
  }

  @Override
  public boolean delete(String appId) {
    Long deleted = call("delete app " + appId, () -> commands.del(
        RedisKeys.app(appId, RedisKeys.TOKEN), RedisKeys.app(appId, RedisKeys.QUOTA)));
    call("unlist app " + appId, () -> commands.srem(RedisKeys.APPS, appId));
    return deleted != null && deleted > 0;
  }

  /** Nothing to do: every quota count expires by itself two days after its last write. */
  @Override
  public int purgeQuotaBefore(LocalDate day) {
    return 0;
  }

  /**
   * A setting every instance must share (the sealed secret-hash key): the stored one, or
   * {@code valueIfAbsent} stored now if there is none. The first instance's value wins.
   */
  public String sharedSetting(String name, String valueIfAbsent) {
    return call("read the shared setting " + name, () -> {
      commands.hsetnx(RedisKeys.META, name, valueIfAbsent);
      return commands.hget(RedisKeys.META, name);
    });
  }

  /** A shared setting, or null if no instance has stored it. */
  public String readSharedSetting(String name) {
    return call("read the shared setting " + name, () -> commands.hget(RedisKeys.META, name));
  }

  /** Replaces a shared setting that equals {@code expected} (resealing under a new key). */
  public void replaceSharedSetting(String name, String expected, String value) {
    call("write the shared setting " + name, () -> commands.eval("""
        if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then
          return redis.call('hset', KEYS[1], ARGV[1], ARGV[3])
        end
        return 0
        """, ScriptOutputType.INTEGER, new String[] {RedisKeys.META}, name, expected, value));
  }

  // ------------------------------------------------------------------------------ Cluster

  @Override
  public Lease tryLease(String appId) {
    String owner = instanceId + "/" + leaseSequence.incrementAndGet();
    Long answer = call("take the lease of app " + appId, () -> commands.eval(Scripts.ACQUIRE,
        ScriptOutputType.INTEGER, new String[] {RedisKeys.app(appId, RedisKeys.LEASE)}, owner,
        Long.toString(Math.max(1, options.leaseTime().toMillis()))));
    long left = answer == 0 ? 0 : Math.max(1, answer - 1);
    return left == 0 ? Lease.granted(appId, owner)
        : Lease.heldElsewhere(appId, Duration.ofMillis(left));
  }

  @Override
  public void release(Lease lease) {
    if (!lease.isGranted()) {
      return;
    }
    call("give back the lease of app " + lease.appId(), () -> commands.eval(Scripts.RELEASE,
        ScriptOutputType.INTEGER, new String[] {RedisKeys.app(lease.appId(), RedisKeys.LEASE)},
        lease.owner(), RedisKeys.EVENTS, signer.sign(RELEASED + lease.appId())));
  }

  @Override
  public boolean reserveSecretCheck(String appId, Verifier verifier, String address,
      Duration interval) {
    String key = RedisKeys.app(appId, RedisKeys.SECRET_CHECK) + ":"
        + HexFormat.of().formatHex(address.getBytes(StandardCharsets.UTF_8));
    Long reserved = call("reserve the secret check of app " + appId, () -> commands.eval(
        Scripts.RESERVE_CHECK, ScriptOutputType.INTEGER, new String[] {key},
        Long.toString(Math.max(1, interval.toMillis())),
        HexFormat.of().formatHex(verifier.bytes())));
    return reserved == 1;
  }

  @Override
  public void listen(Listener value) {
    this.listener = Objects.requireNonNull(value, "listener");
  }

  @Override
  public boolean isConnected() {
    return reachable && connection.isOpen();
  }

  // ------------------------------------------------------------------------------ internals

  /**
   * How many notices were dropped because their MAC did not verify (forged, or from an instance
   * with another master key) or they were malformed.
   */
  public long rejectedNotices() {
    return rejectedNotices.get();
  }

  private void onEvent(String signed) {
    Listener target = listener;
    if (target == null) {
      return;
    }
    String message = signer.verify(signed);
    if (message == null) {
      rejected("an unauthenticated notice (a client that may PUBLISH there without this"
          + " cluster's master key, or an instance started with another one)");
      return;
    }
    try {
      if (message.startsWith(SAVED)) {
        target.saved(decode(message.substring(SAVED.length())));
      } else if (message.startsWith(RELEASED)) {
        target.released(message.substring(RELEASED.length()));
      } else {
        rejected("a notice of an unknown kind");
      }
    } catch (RuntimeException e) {
      // The cause's message may quote the record (a token): only its type is logged.
      rejected("an unreadable notice (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Counts a dropped notice; logs it without its contents, at the 1st, 2nd, 4th, 8th… drop. */
  private void rejected(String what) {
    long n = rejectedNotices.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      log.warn("dropped {} on {}; {} dropped so far", what, RedisKeys.EVENTS, n);
    }
  }

  private void ping() {
    CompletableFuture<String> pong;
    try {
      pong = async.ping().toCompletableFuture();
    } catch (RuntimeException e) {
      pong = CompletableFuture.failedFuture(e); // rejected at once while disconnected
    }
    // A task that throws is never run again: nothing escapes from here.
    pong.orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((answer, failure) ->
            reachable(failure == null && connection.isOpen() && events.isOpen(), failure));
  }

  private void reachable(boolean up, Throwable failure) {
    if (closed) {
      return;
    }
    boolean wasUp = reachable;
    reachable = up;
    if (up && !wasUp) {
      log.info("Redis at {} is reachable again", address);
      Listener target = listener;
      if (target != null) {
        try {
          target.reconnected();
        } catch (RuntimeException e) {
          log.error("reconnection listener failed", e);
        }
      }
    } else if (!up && wasUp) {
      log.warn("Redis at {} is unreachable: {}", address,
          failure == null ? "connection lost" : failure.toString());
    }
  }

  private AppRecord decode(String value) {
    try {
      return codec.decodeRecord(value);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new StoreException("unreadable token record in Redis: " + e.getMessage(), e);
    }
  }

  private <T> T call(String what, Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new StoreException("Redis at " + address + ": cannot " + what + ": "
          + e.getMessage(), e);
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RedisException redis) {
        throw redis;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    closed = true;
    pinger.cancel(false);
    events.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    // Ours, not the client's: shut down here, and waited for, as the client's own would have been.
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
  }

  @Override
  public String toString() {
    return "RedisStore[" + address + "]";
  }
}
