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
   * Reserves a once-per-interval check of an unverified secret. KEYS[1] the app's check key;
   * ARGV[1] now (ms, the engine's clock), ARGV[2] interval (ms), ARGV[3] the secret's verifier.
   * The value is "until|verifier"; the key's own expiry only cleans up. Returns 0 when reserved
   * (or already reserved for the same verifier), else the ms until a check may be made.
   */
  static final String RESERVE_CHECK = """
      local now = tonumber(ARGV[1])
      local held = redis.call('get', KEYS[1])
      if held then
        local bar = string.find(held, '|', 1, true)
        local untilMs = tonumber(string.sub(held, 1, bar - 1))
        if now < untilMs then
          if string.sub(held, bar + 1) == ARGV[3] then return 0 end
          return untilMs - now
        end
      end
      redis.call('set', KEYS[1], (now + tonumber(ARGV[2])) .. '|' .. ARGV[3], 'PX', ARGV[2])
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
