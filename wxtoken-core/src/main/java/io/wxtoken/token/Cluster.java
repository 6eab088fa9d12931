package io.wxtoken.token;

import java.time.Duration;

/**
 * The other wxtoken instances that share this one's store, and what makes them act as one server:
 *
 * <ul>
 *   <li>a <b>lease</b> per app, so that one instance at a time calls WeChat for the app's token
 *       (the others wait for its result);
 *   <li><b>notices</b> of every record any instance saves and of every lease given back, so
 *       waiting instances wake at once and every instance's in-memory copy follows the newest
 *       token;
 *   <li>a cluster-wide <b>budget for secret checks</b>, so N instances still check an unverified
 *       AppSecret with WeChat at most once per app and caller address per interval.
 * </ul>
 *
 * <p>A lone server uses {@link #SOLO}: every lease is granted at once, nothing is announced.
 * Implementations are thread-safe; their methods may block (the engine calls them off the
 * request threads) and throw {@link StoreException} while the shared store is unreachable.
 */
public interface Cluster {

  /** A single instance: leases always granted, no notices, checks budgeted in memory only (the engine's). */
  Cluster SOLO = new Cluster() {
    @Override
    public Lease tryLease(String appId) {
      return Lease.granted(appId, "solo");
    }

    @Override
    public void release(Lease lease) {}

    @Override
    public boolean reserveSecretCheck(String appId, Verifier verifier, String address,
        Duration interval) {
      return true;
    }

    @Override
    public void listen(Listener listener) {}

    @Override
    public boolean isConnected() {
      return true;
    }

    @Override
    public boolean isShared() {
      return false;
    }
  };

  /** Takes the app's refresh lease if nobody holds it. */
  Lease tryLease(String appId);

  /** Gives the lease back if this instance still holds it (compare and delete), and says so. */
  void release(Lease lease);

  /**
   * Reserves, across the cluster, the check of an unverified secret of the app by the caller at
   * {@code address}: one per app and address per {@code interval}, timed by the shared store's
   * own clock (every instance's clock may differ). A check of the same secret ({@code verifier})
   * that is already reserved may go on: another instance may have died making it.
   *
   * @return whether the check may be made now
   */
  boolean reserveSecretCheck(String appId, Verifier verifier, String address, Duration interval);

  /** Subscribes the engine to notices; call once, before the first lease is taken. */
  void listen(Listener listener);

  /** Whether the shared store answers now; drives the readiness check. */
  boolean isConnected();

  /** Whether other instances may share the store (false for {@link #SOLO}). */
  default boolean isShared() {
    return true;
  }

  /** What the engine hears from the cluster; called on the cluster's threads, must not block. */
  interface Listener {

    /** Some instance (this one included) saved {@code record}. */
    void saved(AppRecord record);

    /** Some instance gave back the app's lease, with or without a new record. */
    void released(String appId);

    /** The connection to the shared store came back after a loss: notices may have been missed. */
    void reconnected();
  }
}
