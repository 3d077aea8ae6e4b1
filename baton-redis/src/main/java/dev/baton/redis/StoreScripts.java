package dev.baton.redis;

/**
 * {@link RedisStore}'s Lua scripts: each read, conditional write and listing is one atomic script,
 * so a condition is checked and its write made with nothing in between, and a listing sees one
 * moment of the store. Expiry is Redis's own ({@code PEXPIRE}): inside a script an expired key
 * already reads as absent.
 *
 * <p>Layout of store {@code <name>}, under the prefix {@code baton:store:{<name>}:} (the hash tag
 * keeps one store's keys in one cluster slot): {@code seq}, the version counter ({@code INCR});
 * {@code idx}, a sorted set of the keys, all with score 0, so it orders them by their bytes; {@code
 * e:<key>}, a hash per entry with its value {@code v} and version {@code n}.
 */
final class StoreScripts {
  private StoreScripts() {}

  /**
   * KEYS: entry, counter, index. ARGV: value, required version (-1: any), ttl millis (0: none),
   * key. Returns {1, new version} or {0, version found} (0: absent or expired).
   */
  static final Script PUT =
      new Script(
          """
          local current = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
          local required = tonumber(ARGV[2])
          if required >= 0 and required ~= current then
            return {0, current}
          end
          local version = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[1], 'v', ARGV[1], 'n', version)
          local ttl = tonumber(ARGV[3])
          if ttl > 0 then
            redis.call('PEXPIRE', KEYS[1], ttl)
          else
            redis.call('PERSIST', KEYS[1])
          end
          redis.call('ZADD', KEYS[3], 0, ARGV[4])
          return {1, version}
          """);

  /**
   * KEYS: entry. Returns {} if absent or expired, else {value, version, pttl (-1: none), server
   * seconds, server microseconds}.
   */
  static final Script ENTRY =
      new Script(
          """
          local h = redis.call('HMGET', KEYS[1], 'v', 'n')
          if not h[1] then
            return {}
          end
          local t = redis.call('TIME')
          return {h[1], h[2], redis.call('PTTL', KEYS[1]), t[1], t[2]}
          """);

  /** KEYS: entry, index. ARGV: key. Returns 1 if a live entry was deleted, else 0. */
  static final Script DELETE =
      new Script(
          """
          local n = redis.call('DEL', KEYS[1])
          redis.call('ZREM', KEYS[2], ARGV[1])
          return n
          """);

  /**
   * KEYS: index. ARGV: min, max (ZRANGE BYLEX bounds), limit, entry key prefix, most index members
   * to look at. Walks the index from min in batches, returning up to limit live entries; members
   * whose entry is gone (expired) are removed from the index on the way. Stops after one live entry
   * beyond the limit (then more = 1, cursor = the last entry returned) or after looking at the most
   * members allowed (then more = 1, cursor = the last member looked at, so the next call goes on
   * from there). Returns {more, cursor or '', server seconds, server microseconds, then key, value,
   * version, pttl for each entry}.
   */
  static final Script LIST =
      new Script(
          """
          local limit, cap = tonumber(ARGV[3]), tonumber(ARGV[5])
          local min = ARGV[1]
          local t = redis.call('TIME')
          local out = {0, '', t[1], t[2]}
          local count, scanned, cursor = 0, 0, ''
          local stale = {}
          local done = false
          while not done do
            local batch = redis.call('ZRANGE', KEYS[1], min, ARGV[2], 'BYLEX', 'LIMIT', 0, limit + 1)
            for _, member in ipairs(batch) do
              local key = ARGV[4] .. member
              local h = redis.call('HMGET', key, 'v', 'n')
              if h[1] then
                if count == limit then
                  out[1] = 1
                  done = true
                  break
                end
                count = count + 1
                local n = #out
                out[n + 1], out[n + 2], out[n + 3] = member, h[1], h[2]
                out[n + 4] = redis.call('PTTL', key)
              else
                stale[#stale + 1] = member
              end
              cursor = member
              scanned = scanned + 1
              if scanned >= cap then
                out[1] = 1
                done = true
                break
              end
            end
            if #batch < limit + 1 then
              done = true
            elseif not done then
              min = '(' .. batch[#batch]
            end
          end
          if #stale > 0 then
            redis.call('ZREM', KEYS[1], unpack(stale))
          end
          out[2] = cursor
          return out
          """);
}
