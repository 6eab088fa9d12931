package io.wxtoken.store.redis;

/**
 * The Lua scripts that make each multi-step change atomic on the Redis server. Each touches only
 * the keys of one app (one Cluster slot) plus a publish.
 */
final class Scripts {
  private Scripts() {}

  /**
   * Takes a lease if free. KEYS[1] lease; ARGV[1] owner, ARGV[2] time in ms. Returns 0 when taken,
   * else 1 + the holder's remaining ms. A lease without expiry (written by hand) is given one.
   */
  static final String ACQUIRE = """
      if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
      local left = redis.call('pttl', KEYS[1])
      if left < 0 then
        redis.call('pexpire', KEYS[1], ARGV[2])
        left = tonumber(ARGV[2])
      end
      return left + 1
      """;

  /**
   * Reserves a once-per-interval check of an unverified secret by one caller address. KEYS[1]
   * the (app, address) check key; ARGV[1] interval (ms), ARGV[2] the secret's verifier. Timed by
   * Redis alone (the key's expiry), never by an instance's clock. Returns 1 when reserved (or
   * already reserved for the same verifier), else 0.
   */
  static final String RESERVE_CHECK = """
      if redis.call('set', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 1 end
      if redis.call('get', KEYS[1]) == ARGV[2] then return 1 end
      return 0
      """;

  /**
   * Gives a lease back only if still held by the caller (compare and delete), and announces it.
   * KEYS[1] lease; ARGV[1] owner, ARGV[2] channel, ARGV[3] message. Returns 1 if released.
   */
  static final String RELEASE = """
      if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('del', KEYS[1])
      redis.call('publish', ARGV[2], ARGV[3])
      return 1
      """;

  /**
   * The fenced write. KEYS[1] token record, KEYS[2] lease; ARGV[1] generation, ARGV[2] record,
   * ARGV[3] writer's lease owner ('' for none), ARGV[4] channel, ARGV[5] message, ARGV[6] format
   * version. Writes only if the generation is higher than the stored one and no other instance
   * holds the lease; then announces the record. Returns 1 if written, 0 if an equal or newer
   * generation is stored, -1 if another instance holds the lease.
   */
  static final String SAVE = """
      local stored = tonumber(redis.call('hget', KEYS[1], 'gen') or '0')
      if stored >= tonumber(ARGV[1]) then return 0 end
      if ARGV[3] ~= '' then
        local holder = redis.call('get', KEYS[2])
        if holder and holder ~= ARGV[3] then return -1 end
      end
      redis.call('hset', KEYS[1], 'v', ARGV[6], 'gen', ARGV[1], 'record', ARGV[2])
      redis.call('publish', ARGV[4], ARGV[5])
      return 1
      """;
}
