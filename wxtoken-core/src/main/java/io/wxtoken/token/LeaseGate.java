package io.wxtoken.token;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes an app's {@link Cluster} lease for a flight. While another instance holds it, the flight
 * waits for that instance's notice (its saved record or its release) rather than polling, up to
 * what the holder's lease has left: a holder that died is replaced once its lease lapses.
 *
 * <p>Thread-safe. Blocking cluster calls run on the given executor, never on the caller's thread.
 */
final class LeaseGate {
  private static final Logger log = LoggerFactory.getLogger(LeaseGate.class);

  /** Added to a holder's remaining lease before trying again, for clock skew and the release. */
  private static final long GRACE_MILLIS = 50;

  /** What {@link #acquire} leads to. */
  sealed interface Outcome {}

  /** This instance holds the lease; the store was read after it was taken. */
  record Held(Lease lease) implements Outcome {}

  /** Another instance's write made the flight unnecessary. */
  record Settled() implements Outcome {}

  /** The cluster cannot be reached: the flight decides whether it may go on without a lease. */
  record Unreachable(StoreException cause) implements Outcome {}

  private final Cluster cluster;
  private final Executor executor;
  private final int maxRounds;
  /** appId → the flights waiting for a notice about it. */
  private final ConcurrentMap<String, Set<CompletableFuture<Void>>> waiting =
      new ConcurrentHashMap<>();

  LeaseGate(Cluster cluster, Executor executor, int maxRounds) {
    this.cluster = cluster;
    this.executor = executor;
    this.maxRounds = maxRounds;
  }

  /**
   * Takes the app's lease. {@code adopt} reads the app's stored record into memory (after taking
   * the lease, and after each wait); {@code settled} then says whether that record already answers
   * the flight.
   */
  CompletableFuture<Outcome> acquire(String appId, Runnable adopt, BooleanSupplier settled) {
    return CompletableFuture.supplyAsync(() -> round(appId, adopt, settled, 1), executor)
        .thenCompose(next -> next);
  }

  private CompletableFuture<Outcome> round(
      String appId, Runnable adopt, BooleanSupplier settled, int round) {
    if (round > 1 && settled.getAsBoolean()) {
      // Woken by the holder's notice, whose record the engine has already taken into memory:
      // answer from it, without another lease attempt and store read.
      return CompletableFuture.completedFuture(new Settled());
    }
    // Registered before asking, so a notice sent in between is not missed.
    CompletableFuture<Void> notice = new CompletableFuture<>();
    waiting.compute(appId, (id, set) -> {
      Set<CompletableFuture<Void>> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
      waiters.add(notice);
      return waiters;
    });
    Outcome outcome = null;
    Lease lease = null;
    try {
      lease = cluster.tryLease(appId);
      adopt.run();
      if (lease.isGranted()) {
        outcome = new Held(lease);
      } else if (settled.getAsBoolean()) {
        outcome = new Settled();
      }
    } catch (StoreException e) {
      outcome = new Unreachable(e);
    } finally {
      if (outcome != null || round >= maxRounds) {
        forget(appId, notice);
      }
    }
    if (outcome != null) {
      return CompletableFuture.completedFuture(outcome);
    }
    if (round >= maxRounds) {
      log.warn("app {}: another instance kept its refresh lease through {} waits", appId, round);
      return CompletableFuture.failedFuture(TokenException.of(TokenException.Reason
          .UPSTREAM_UNAVAILABLE, "another wxtoken instance is refreshing the token of appId "
          + appId + " and has not finished; retry shortly"));
    }
    long wait = lease.heldFor().toMillis() + GRACE_MILLIS;
    return notice
        .completeOnTimeout(null, wait, TimeUnit.MILLISECONDS)
        .thenComposeAsync(ignored -> {
          forget(appId, notice);
          return round(appId, adopt, settled, round + 1);
        }, executor);
  }

  private void forget(String appId, CompletableFuture<Void> notice) {
    waiting.computeIfPresent(appId, (id, set) -> {
      set.remove(notice);
      return set.isEmpty() ? null : set;
    });
  }

  /** A notice about the app arrived: wake its waiting flights. */
  void noticed(String appId) {
    Set<CompletableFuture<Void>> waiters = waiting.remove(appId);
    if (waiters != null) {
      waiters.forEach(notice -> notice.complete(null));
    }
  }

  /** Notices may have been missed (reconnection): wake every waiting flight to look again. */
  void noticedAll() {
    waiting.keySet().forEach(this::noticed);
  }

  /** Flights waiting for another instance now; for tests. */
  int waiting() {
    return waiting.values().stream().mapToInt(Set::size).sum();
  }

  /** Gives a held lease back, off the caller's thread. */
  void release(Lease lease) {
    if (!cluster.isShared()) {
      return;
    }
    executor.execute(() -> {
      try {
        cluster.release(lease);
      } catch (StoreException e) {
        log.warn("app {}: could not give back the refresh lease; it lapses on its own",
            lease.appId(), e);
      }
    });
  }
}
