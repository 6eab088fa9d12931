package io.wxtoken.store.redis;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the shared Redis is, parsed from a {@code --store} value:
 *
 * <ul>
 *   <li>{@code redis://[[user:]password@]host[:port][/db]}, {@code rediss://…} for TLS: one server;
 *   <li>{@code redis-sentinel://[password@]host[:port][,host[:port]…][/db]#master} (and
 *       {@code rediss-sentinel://}): Sentinel finds the master, and a new one after failover;
 *   <li>{@code redis-cluster://[password@]host[:port][,host[:port]…]} (and
 *       {@code rediss-cluster://}): a Redis Cluster, given any of its nodes.
 * </ul>
 *
 * <p>Immutable. {@link #toString()} hides the password.
 */
public final class RedisAddress {
  private static final String CLUSTER = "redis-cluster://";
  private static final String CLUSTER_TLS = "rediss-cluster://";

  private final String spec;
  private final List<RedisURI> nodes;
  private final boolean cluster;

  private RedisAddress(String spec, List<RedisURI> nodes, boolean cluster) {
    this.spec = spec;
    this.nodes = List.copyOf(nodes);
    this.cluster = cluster;
  }

  /** Whether {@code spec} names a Redis store at all (then {@link #parse} says if it is valid). */
  public static boolean isRedis(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    return s.startsWith("redis://") || s.startsWith("rediss://") || s.startsWith("redis-sentinel://")
        || s.startsWith("rediss-sentinel://") || s.startsWith(CLUSTER) || s.startsWith(CLUSTER_TLS);
  }

  /**
   * Parses a Redis address.
   *
   * @throws IllegalArgumentException naming what is wrong (without the password)
   */
  public static RedisAddress parse(String spec) {
    String value = spec.trim();
    String lower = value.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith(CLUSTER) || lower.startsWith(CLUSTER_TLS)) {
        boolean tls = lower.startsWith(CLUSTER_TLS);
        String rest = value.substring(tls ? CLUSTER_TLS.length() : CLUSTER.length());
        int at = rest.lastIndexOf('@');
        String credentials = at < 0 ? "" : rest.substring(0, at + 1);
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        if (hosts.contains("/") && !hosts.endsWith("/")) {
          throw new IllegalArgumentException("a Redis Cluster has no databases: drop the /db");
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.replaceAll("/$", "").split(",")) {
          if (host.isBlank()) {
            throw new IllegalArgumentException("empty host in the node list");
          }
          seeds.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + host.trim()));
        }
        return new RedisAddress(value, seeds, true);
      }
      RedisURI uri = RedisURI.create(value);
      if (uri.getHost() == null && uri.getSentinels().isEmpty()) {
        throw new IllegalArgumentException("no host");
      }
      return new RedisAddress(value, List.of(uri), false);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a usable Redis address " + hide(value) + " ("
          + String.valueOf(e.getMessage()).replace(value, hide(value)) + "); expected redis://host:port/db,"
          + " rediss://…, redis-sentinel://host:port,host:port/db#master or"
          + " redis-cluster://host:port,host:port", e);
    }
  }

  /** Whether this is a Redis Cluster. */
  public boolean isCluster() {
    return cluster;
  }

  /** The server (or Sentinel set) for a non-cluster address. */
  RedisURI uri() {
    return nodes.get(0);
  }

  /** The seed nodes of a cluster. */
  List<RedisURI> nodes() {
    return nodes;
  }

  /** The address with the password, if any, replaced by {@code ***}. */
  public static String hide(String spec) {
    int scheme = spec.indexOf("://");
    if (scheme < 0) {
      return spec;
    }
    int start = scheme + 3;
    int slash = spec.indexOf('/', start);
    int end = slash < 0 ? spec.length() : slash;
    int at = spec.lastIndexOf('@', end - 1);
    if (at < start) {
      return spec;
    }
    String userInfo = spec.substring(start, at);
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
    return spec.substring(0, start) + shown + spec.substring(at);
  }

  @Override
  public String toString() {
    return hide(spec);
  }
}
