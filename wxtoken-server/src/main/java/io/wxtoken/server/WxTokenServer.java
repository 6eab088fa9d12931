package io.wxtoken.server;

import io.wxtoken.http.ApiServer;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.TokenService;
import io.wxtoken.token.TokenStore;
import io.wxtoken.wechat.WeChatClient;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running wxtoken server. {@link #start} wires store → engine → HTTP and returns once the port
 * is bound; {@link #close} stops HTTP first, then the store, so no acknowledged write is cut off.
 *
 * <p>Used by the CLI and, in-process, by tests. Thread-safe.
 */
public final class WxTokenServer implements AutoCloseable {
  static final String KEY_FILE = "secret-hash.key";
  private static final Logger log = LoggerFactory.getLogger(WxTokenServer.class);

  private final TokenStore store;
  private final ExecutorService storeExecutor;
  private final TokenService tokens;
  private final ApiServer http;

  private WxTokenServer(TokenStore store, ExecutorService storeExecutor, TokenService tokens,
      ApiServer http) {
    this.store = store;
    this.storeExecutor = storeExecutor;
    this.tokens = tokens;
    this.http = http;
  }

  /** Starts a server; fails with a message naming the setting that is wrong. */
  public static WxTokenServer start(ServerConfig config, Clock clock) {
    H2TokenStore store = H2TokenStore.open(config.storeDir());
    ExecutorService storeExecutor = Executors.newFixedThreadPool(2, daemonThreads("wxtoken-store-"));
    try {
      SecretHasher hasher = new SecretHasher(KeyFile.loadOrCreate(store.directory().resolve(KEY_FILE)));
      WeChatClient wechat = new WeChatClient(config.wechatBaseUrl(), config.tokenApi(),
          config.wechatConnectTimeout(), config.wechatReadTimeout());
      TokenService tokens = new TokenService(store, wechat, hasher, clock, storeExecutor,
          TokenService.Options.DEFAULT);
      ApiServer http = ApiServer.start(config.http(), tokens, clock);
      log.info("wxtoken listening on http://{}:{} (store {}, WeChat {} via {} API)",
          config.host(), http.port(), store.directory(), config.wechatBaseUrl(),
          config.tokenApi().name().toLowerCase(java.util.Locale.ROOT));
      return new WxTokenServer(store, storeExecutor, tokens, http);
    } catch (RuntimeException e) {
      storeExecutor.shutdownNow();
      store.close();
      throw e;
    }
  }

  /** The bound HTTP port. */
  public int port() {
    return http.port();
  }

  /** The token engine, for in-process inspection. */
  public TokenService tokens() {
    return tokens;
  }

  @Override
  public void close() {
    http.close();
    storeExecutor.shutdown();
    try {
      if (!storeExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("store writes still running after 10 s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
