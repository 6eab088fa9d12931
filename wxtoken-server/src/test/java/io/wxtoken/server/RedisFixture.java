package io.wxtoken.server;

import io.wxtoken.store.redis.RedisServerProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@code redis-server} for a test class, started before its first test and stopped after
 * its last: register it as {@code @RegisterExtension static final RedisFixture redis = new
 * RedisFixture();} (also in a {@code @Nested} class) and use {@link #process()} in the tests.
 *
 * <p>Each test class holds its own instance, so classes running side by side share no server.
 */
final class RedisFixture implements BeforeAllCallback, AfterAllCallback {
  private volatile RedisServerProcess process;

  @Override
  public void beforeAll(ExtensionContext context) {
    process = RedisServerProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RedisServerProcess running = process;
    process = null;
    if (running != null) {
      running.close();
    }
  }

  /**
   * @return the running server
   * @throws IllegalStateException outside the test class's lifetime
   */
  RedisServerProcess process() {
    RedisServerProcess running = process;
    if (running == null) {
      throw new IllegalStateException("redis-server runs only while the test class runs");
    }
    return running;
  }
}
