package io.wxtoken.token;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store (H2 in the tests) with failures and pauses switched in from the test: not a mock,
 * every call that is let through reaches the real store.
 */
final class FaultyStore implements TokenStore {
  private final TokenStore real;

  volatile boolean failLoads;
  volatile boolean failSaves;
  /** When set, {@link #save} signals {@link #saveEntered} and waits for this before writing. */
  volatile CountDownLatch saveGate;

  final CountDownLatch saveEntered = new CountDownLatch(1);
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger saves = new AtomicInteger();

  FaultyStore(TokenStore real) {
    this.real = real;
  }

  @Override
  public Optional<AppRecord> load(String appId) {
    loads.incrementAndGet();
    if (failLoads) {
      throw new StoreException("injected load failure for app " + appId, null);
    }
    return real.load(appId);
  }

  @Override
  public boolean save(AppRecord record) {
    saves.incrementAndGet();
    CountDownLatch gate = saveGate;
    if (gate != null) {
      saveEntered.countDown();
      try {
        if (!gate.await(10, TimeUnit.SECONDS)) {
          throw new StoreException("save gate never opened", null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted at the save gate", e);
      }
    }
    if (failSaves) {
      throw new StoreException("injected save failure for app " + record.appId(), null);
    }
    return real.save(record);
  }

  @Override
  public java.util.List<AppRecord> loadAll() {
    return real.loadAll();
  }

  @Override
  public Optional<QuotaUsage> loadQuota(String appId) {
    return real.loadQuota(appId);
  }

  @Override
  public void saveQuota(String appId, QuotaUsage usage) {
    real.saveQuota(appId, usage);
  }

  @Override
  public boolean delete(String appId) {
    return real.delete(appId);
  }

  @Override
  public int purgeQuotaBefore(java.time.LocalDate day) {
    return real.purgeQuotaBefore(day);
  }

  @Override
  public void close() {
    real.close();
  }
}
