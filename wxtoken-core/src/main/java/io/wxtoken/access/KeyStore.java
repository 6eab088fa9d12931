package io.wxtoken.access;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where caller keys are kept: an H2 table next to the tokens, or Redis for a cluster. Holds only
 * {@link CallerKey}s (keyed hashes), never a key.
 *
 * <p>Implementations are thread-safe and blocking; callers keep them off event loops except for
 * what {@link AccessControl} caches.
 */
public interface KeyStore {
  /** Inserts or replaces the key with this id. */
  void save(CallerKey key);

  /** The key with this id, if any. */
  Optional<CallerKey> load(String id);

  /** Every key, in no particular order. */
  List<CallerKey> loadAll();

  /**
   * Tells {@code changed} the id of each key another instance saves, as soon as it is told (a
   * store nobody else shares never calls it).
   */
  default void listen(Consumer<String> changed) {}

  /**
   * A number that changes whenever any instance saves a key, so a periodic reconcile reads every
   * key only when something changed; constant for a store nobody else shares.
   */
  default long version() {
    return 0;
  }
}
