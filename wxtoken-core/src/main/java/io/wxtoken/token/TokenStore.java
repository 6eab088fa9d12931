package io.wxtoken.token;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of {@link AppRecord}s: the contract every store (embedded H2, Redis) keeps.
 *
 * <ul>
 *   <li><b>Durable on return.</b> When {@link #save} returns {@code true} the record survives a
 *       crash of this process; the engine hands a token out only after that.
 *   <li><b>Fenced.</b> {@link #save} writes only if the record's generation is higher than the
 *       stored one, atomically; otherwise it changes nothing and returns {@code false}.
 *   <li><b>No plaintext secrets.</b> Records hold verifiers and sealed (encrypted) secrets, never
 *       AppSecrets.
 *   <li><b>Blocking.</b> Methods may do I/O; the engine calls them off the request threads.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface TokenStore extends AutoCloseable {

  /** The stored record of the app, if any. */
  Optional<AppRecord> load(String appId);

  /**
   * Stores the record if its generation is higher than the stored one.
   *
   * @return whether it was written
   * @throws StoreException if the store cannot be read or written
   */
  boolean save(AppRecord record);

  /**
   * {@link #save(AppRecord)}, by the holder of {@code lease}: a store shared by a cluster also
   * refuses the write when another instance has taken the app's lease since (this writer's lease
   * lapsed mid-flight), and announces a write it makes to the other instances. A lone store
   * ignores the lease.
   */
  default boolean save(AppRecord record, Lease lease) {
    return save(record);
  }

  /** Every stored record, for scheduling proactive refreshes at start. */
  List<AppRecord> loadAll();

  /** The app's persisted quota usage, if any. */
  Optional<QuotaUsage> loadQuota(String appId);

  /** Persists the app's quota usage (last write wins: the engine serializes an app's updates). */
  void saveQuota(String appId, QuotaUsage usage);

  /**
   * Deletes the quota usage of WeChat days before {@code day}: it no longer limits anything, and
   * rows of apps that never got a token would otherwise stay forever.
   *
   * @return how many were deleted (a store whose counts expire by themselves may return 0)
   */
  int purgeQuotaBefore(LocalDate day);

  /**
   * Deletes the app's record and quota count (an app no caller asked for in a long time).
   *
   * @return whether there was a record
   */
  boolean delete(String appId);

  /** Releases the store's resources. */
  @Override
  void close();
}
