package io.wxtoken.store.redis;

/**
 * The key names, in one place (the README's key table is this class). Every per-app key carries the
 * appId as a hash tag, {@code {appId}}, so that in a Redis Cluster an app's keys share a slot and
 * one script can read and write them together. AppIds are {@code [A-Za-z0-9_-]}, so they cannot
 * break a tag.
 */
final class RedisKeys {
  /** Prefix of every key and of the channel. */
  static final String PREFIX = "wxtoken:";
  /** Hash: {@code v}, {@code gen}, {@code record} (JSON: verifier, sealed secret, token, times). */
  static final String TOKEN = ":token";
  /** String: the owner id of the app's refresh lease; expires with the lease. */
  static final String LEASE = ":lease";
  /** String (JSON): the app's WeChat calls on the current WeChat day; expires after two days. */
  static final String QUOTA = ":quota";
  /**
   * Followed by {@code :<hex of the caller's address>}. String: the verifier of the secret that
   * address may have checked in the current interval; expires with the interval (Redis time).
   */
  static final String SECRET_CHECK = ":secret-check";
  /** Set of every appId with a token record: the app registry. */
  static final String APPS = PREFIX + "apps";
  /** Hash: {@code schema} and shared settings (the sealed secret-hash key). */
  static final String META = PREFIX + "meta";
  /** Pub/sub channel of saved records and released leases. */
  static final String EVENTS = PREFIX + "events";

  private RedisKeys() {}

  static String app(String appId, String kind) {
    return PREFIX + "{" + appId + "}" + kind;
  }
}
