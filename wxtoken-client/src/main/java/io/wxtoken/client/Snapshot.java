package io.wxtoken.client;

/**
 * What an {@link AccessTokenProvider} holds: a token, when it expires, and when to start replacing
 * it, in epoch milliseconds of the provider's clock. Invariant: {@code refreshAtMillis <=
 * expiresAtMillis}. Immutable, so one volatile read of the provider's field gives a consistent
 * view without a lock.
 */
final class Snapshot {
  /** Nothing held yet: every instant is past both times. */
  static final Snapshot EMPTY = new Snapshot(null, Long.MIN_VALUE, Long.MIN_VALUE);

  /** After a refresh that brought nothing newer, or failed: the shortest and longest waits. */
  static final long MIN_RETRY_MILLIS = 1_000;
  static final long MAX_RETRY_MILLIS = 30_000;

  final AccessToken token;
  /** {@code token.value()}, or null: the hot path reads it without a second dereference. */
  final String value;
  final long expiresAtMillis;
  final long refreshAtMillis;

  private Snapshot(AccessToken token, long expiresAtMillis, long refreshAtMillis) {
    this.token = token;
    this.value = token == null ? null : token.value();
    this.expiresAtMillis = expiresAtMillis;
    this.refreshAtMillis = refreshAtMillis;
  }

  /**
   * A freshly fetched token: replaced from {@code marginMillis} before its expiry on. A token that
   * is inside its margin already (the server had nothing newer yet) is asked about again after a
   * quarter of its remaining life, so the provider neither hammers the server nor misses the new
   * token for long.
   */
  static Snapshot of(AccessToken token, long nowMillis, long marginMillis) {
    long expiresAt = token.expiresAtMillis();
    long refreshAt = expiresAt - marginMillis;
    return new Snapshot(token, expiresAt,
        refreshAt > nowMillis ? refreshAt : retryTime(expiresAt, nowMillis));
  }

  /** The same token, to be asked about again later, after a refresh that failed. */
  Snapshot retryLater(long nowMillis) {
    return new Snapshot(token, expiresAtMillis, retryTime(expiresAtMillis, nowMillis));
  }

  /**
   * Never after the expiry: the hot path checks only {@code refreshAtMillis}, so this cap is what
   * keeps an expired token from being served. A token the server sent already expired by this
   * host's clock (skew larger than its remaining life) is not cached at all: each call asks again.
   */
  private static long retryTime(long expiresAtMillis, long nowMillis) {
    long wait = (expiresAtMillis - nowMillis) / 4;
    long retryAt = nowMillis + Math.max(MIN_RETRY_MILLIS, Math.min(MAX_RETRY_MILLIS, wait));
    return Math.min(retryAt, expiresAtMillis);
  }
}
