package io.wxtoken.token;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The engine as the server wires it, against the WeChat simulator over loopback HTTP: a real
 * {@link H2TokenStore} in a temporary directory, a real {@link WeChatClient}, and one
 * {@link ManualClock} driving both the simulator and the engine, so expiry is reached by moving
 * the clock, never by sleeping.
 */
final class Rig implements AutoCloseable {
  /** 10:00 in Beijing: WeChat's quota day does not roll over during a test. */
  static final Instant START = Instant.parse("2026-03-01T02:00:00Z");
  static final String APP = "wx00000000000000a1";
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  static final byte[] HASH_KEY = "wxtoken-test-hash-key-0123456789".getBytes(StandardCharsets.UTF_8);

  final ManualClock clock = new ManualClock(START);
  final WeChatSimulator sim;
  final TokenApi api;
  final SecretHasher hasher = new SecretHasher(HASH_KEY);
  static final MasterKey MASTER_KEY =
      MasterKey.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  final SecretBox box = new SecretBox(MASTER_KEY, List.of());
  /** One attempt per call and a breaker that never opens: the engine as issue 2 specified it. */
  static final Resilience NO_RETRIES = new Resilience(Duration.ofMillis(1), Duration.ofMillis(2),
      0, Duration.ofSeconds(30), 10_000, Duration.ofSeconds(1));
  final Builder config;
  private final ExecutorService storeExecutor;
  private final WeChatClient client;
  /** The H2 store currently open, under any wrapper. */
  H2TokenStore h2;
  /** The store the engine uses: {@link #h2}, possibly wrapped. */
  TokenStore store;
  TokenService service;

  private Rig(Builder b) {
    this.config = b;
    this.api = b.api;
    WeChatSimulator.Builder simBuilder = WeChatSimulator.builder().clock(clock).app(APP, SECRET);
    this.sim = b.simulator.apply(simBuilder).start();
    AtomicInteger n = new AtomicInteger();
    this.storeExecutor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "test-store-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    URI base = b.wechatBaseUrl != null ? b.wechatBaseUrl : sim.baseUrl();
    this.client = new WeChatClient(base, api, b.connectTimeout, b.readTimeout);
    try {
      openEngine();
    } catch (RuntimeException e) {
      storeExecutor.shutdownNow();
      sim.close();
      throw e;
    }
  }

  static Builder in(Path dir) {
    return new Builder(dir);
  }

  private void openEngine() {
    h2 = H2TokenStore.open(config.dir);
    store = config.storeWrapper.apply(h2);
    service = new TokenService(store, client, hasher, box, clock, clock::nanoTime, storeExecutor,
        config.options);
  }

  /** A process restart: the store is closed and reopened, the engine starts with empty memory. */
  void restart() {
    store.close();
    openEngine();
  }

  /** The token endpoint this rig's client calls. */
  Endpoint endpoint() {
    return api == TokenApi.STABLE ? Endpoint.STABLE_TOKEN : Endpoint.TOKEN;
  }

  /** Token calls WeChat received for a registered app. */
  long calls(String appId) {
    return sim.calls(endpoint(), appId);
  }

  /** Token calls WeChat received, for any appId (registered or not). */
  long calls() {
    return sim.calls(endpoint());
  }

  AccessToken get(String appId, String secret) {
    try {
      return service.get(appId, secret).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected a token, got " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  AccessToken get() {
    return get(APP, SECRET);
  }

  /** The failure the engine answers this request with. */
  TokenException refused(String appId, String secret) {
    CompletableFuture<AccessToken> future = service.get(appId, secret);
    Throwable thrown = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
    assertThat(thrown).as("a refusal").isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(TokenException.class);
    return (TokenException) thrown.getCause();
  }

  TokenException refused() {
    return refused(APP, SECRET);
  }

  /** A request from the caller at {@code address} that must be answered with a token. */
  AccessToken getFrom(String address, String appId, String secret) {
    try {
      return service.get(appId, secret, address).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected a token, got " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The failure the engine answers a request from {@code address} with. */
  TokenException refusedFrom(String address, String appId, String secret) {
    CompletableFuture<AccessToken> future = service.get(appId, secret, address);
    Throwable thrown = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
    assertThat(thrown).as("a refusal").isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(TokenException.class);
    return (TokenException) thrown.getCause();
  }

  /** The refresh margin the engine keeps for this token. */
  Duration margin(AccessToken token) {
    return config.options.refreshPolicy().margin(token.lifetime());
  }

  Instant refreshAt(AccessToken token) {
    return config.options.refreshPolicy().refreshAt(token);
  }

  /** Waits (real time, for asynchronous work only) until the app's record in memory matches. */
  AppRecord awaitCached(String appId, Predicate<AppRecord> condition) {
    await("the cached record of " + appId + " to match (now " + clock.instant() + ")",
        () -> service.cached(appId).filter(condition).isPresent());
    return service.cached(appId).orElseThrow();
  }

  /**
   * Like {@link #awaitCached} while requests keep coming, as they would in production: a refresh
   * that could not start on an earlier request (the previous flight was still landing) starts on
   * a later one.
   */
  AppRecord awaitCachedUnderTraffic(String appId, String secret, Predicate<AppRecord> condition) {
    await("the cached record of " + appId + " to match under traffic (now " + clock.instant() + ")",
        () -> {
          service.get(appId, secret);
          return service.cached(appId).filter(condition).isPresent();
        });
    return service.cached(appId).orElseThrow();
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    storeExecutor.shutdownNow();
    sim.close();
    store.close();
  }

  /** What a rig runs with; {@link #start()} builds it. */
  static final class Builder {
    final Path dir;
    TokenApi api = TokenApi.STABLE;
    UnaryOperator<WeChatSimulator.Builder> simulator = b -> b;
    /** Retries off and a breaker that never trips, unless a test asks for them. */
    TokenService.Options options = TokenService.Options.defaults(TokenApi.STABLE)
        .withResilience(NO_RETRIES);
    Duration connectTimeout = Duration.ofSeconds(1);
    Duration readTimeout = Duration.ofSeconds(5);
    Function<TokenStore, TokenStore> storeWrapper = s -> s;
    URI wechatBaseUrl;

    private Builder(Path dir) {
      this.dir = dir;
    }

    Builder api(TokenApi value) {
      this.api = value;
      return this;
    }

    Builder simulator(UnaryOperator<WeChatSimulator.Builder> value) {
      this.simulator = value;
      return this;
    }

    Builder options(UnaryOperator<TokenService.Options> value) {
      this.options = value.apply(this.options);
      return this;
    }

    Builder readTimeout(Duration value) {
      this.readTimeout = value;
      return this;
    }

    Builder store(Function<TokenStore, TokenStore> value) {
      this.storeWrapper = value;
      return this;
    }

    Builder wechatBaseUrl(URI value) {
      this.wechatBaseUrl = value;
      return this;
    }

    Rig start() {
      return new Rig(this);
    }
  }
}
