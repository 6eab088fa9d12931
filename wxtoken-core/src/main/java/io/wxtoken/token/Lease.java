package io.wxtoken.token;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer to {@link Cluster#tryLease}: either this instance now holds the app's refresh lease
 * (and {@link #owner} names it, for the compare-and-delete release and the fenced save), or another
 * instance holds it for {@link #heldFor} more.
 *
 * @param appId the app the lease is for
 * @param owner this holder's unique id when granted, else null
 * @param heldFor when not granted, how long the other holder's lease has left
 */
public record Lease(String appId, String owner, Duration heldFor) {

  public Lease {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(heldFor, "heldFor");
  }

  /** A lease this instance now holds. */
  public static Lease granted(String appId, String owner) {
    return new Lease(appId, Objects.requireNonNull(owner, "owner"), Duration.ZERO);
  }

  /** Another instance holds the app's lease for {@code left} more. */
  public static Lease heldElsewhere(String appId, Duration left) {
    return new Lease(appId, null, left);
  }

  /** Whether this instance holds the lease. */
  public boolean isGranted() {
    return owner != null;
  }
}
