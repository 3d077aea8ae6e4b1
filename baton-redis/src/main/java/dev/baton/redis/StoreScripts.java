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
 * exp}, a sorted set of the keys written with a TTL, scored by their expiry in milliseconds of the
 * server's clock; {@code e:<key>}, a hash per entry with its value {@code v} and version {@code n}.
 * A user key never collides with {@code seq}, {@code idx} or {@code exp}: entries all live under
 * {@code e:}.
 *
 * <p><b>No half writes.</b> Redis does not roll a script back when a command in it fails: the
 * writes made before the failure stay. So every writing script does all its reads, checks and
 * validations first (reading each key it will write, which fails at once on a key of the wrong
 * type; checking the counter holds an integer and the TTL is a decimal of at most 13 digits), and
 * only then writes, with commands that cannot fail on keys whose type was checked. A failing script
 * has therefore written nothing.
 *
 * <p><b>Index reclamation.</b> An entry's hash expires by itself, but its member in {@code idx}
 * does not. Each write ({@code PUT}, {@code DELETE}) drains up to {@code ARGV} "drain" members of
 * {@code exp} that are due: a member whose entry is gone leaves {@code idx} and {@code exp}; one
 * whose entry lives on (rewritten meanwhile) is rescored or, without a TTL, leaves {@code exp}. A
 * listing also removes the dead members it passes. So {@code idx} stays near the number of live
 * keys while the store is written, whether or not it is ever listed.
 *
 * <p><b>Undeclared keys.</b> {@code LIST} reads, and the drain inspects, entry hashes ({@code
 * e:<member>}) derived from {@code idx}/{@code exp} members inside the script, so they cannot be
 * declared in {@code KEYS} beforehand. This is safe because every such key carries the store's hash
 * tag, so it lives in the same cluster slot as the declared keys. The constraint: every key a
 * script derives must keep the {@code {<name>}} hash tag (the entry prefix passed in {@code ARGV}
 * is the store's own), and the scripts must not be used where undeclared access is refused (Redis 7
 * functions with {@code no-cluster}-style key checks, or proxies that route by {@code KEYS}).
 */
final class StoreScripts {
  private StoreScripts() {}

  /**
   * Lua shared by the writing scripts: {@code now} (the server's time in whole ms) and {@code
   * drain(due, idx, exp, prefix, now)}, which settles the due members of {@code exp} read before
   * any write. Only ZREM/ZADD on keys whose type the caller checked, and PTTL: nothing can fail.
   */
  private static final String DRAIN =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local function drain(due, idx, exp, prefix)
        for _, member in ipairs(due) do
          local pttl = redis.call('PTTL', prefix .. member)
          if pttl == -2 then
            redis.call('ZREM', idx, member)
            redis.call('ZREM', exp, member)
          elseif pttl == -1 then
            redis.call('ZREM', exp, member)
          else
            redis.call('ZADD', exp, now + pttl, member)
          end
        end
      end
      """;

  /**
   * KEYS: entry, counter, index, expiries. ARGV: value, required version (-1: any), ttl millis as a
   * decimal string ('0': none), key, entry key prefix, how many due expiries to drain. Returns {1,
   * new version} or {0, version found} (0: absent or expired); fails, having written nothing, on a
   * malformed ttl, a counter that is not an integer or a key of the wrong type.
   */
  static final Script PUT =
      new Script(
          DRAIN
              + """
              local current = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
              local required = tonumber(ARGV[2])
              if required >= 0 and required ~= current then
                return {0, current}
              end
              local ttl = ARGV[3]
              if not string.match(ttl, '^[0-9]+$') or #ttl > 13 then
                return redis.error_reply('ERR baton store: ttl must be whole ms, 13 digits at most')
              end
              local seq = redis.call('GET', KEYS[2])
              if seq and not string.match(seq, '^[0-9]+$') then
                return redis.error_reply('ERR baton store: the version counter is not an integer')
              end
              redis.call('ZSCORE', KEYS[3], ARGV[4])
              local due = redis.call('ZRANGE', KEYS[4], '-inf', '(' .. now, 'BYSCORE',
                'LIMIT', 0, tonumber(ARGV[6]))
              -- Every read and check is done: from here on nothing can fail.
              local version = redis.call('INCR', KEYS[2])
              redis.call('HSET', KEYS[1], 'v', ARGV[1], 'n', version)
              if ttl ~= '0' then
                redis.call('PEXPIRE', KEYS[1], ttl)
                redis.call('ZADD', KEYS[4], now + tonumber(ttl), ARGV[4])
              else
                redis.call('PERSIST', KEYS[1])
                redis.call('ZREM', KEYS[4], ARGV[4])
              end
              redis.call('ZADD', KEYS[3], 0, ARGV[4])
              drain(due, KEYS[3], KEYS[4], ARGV[5])
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

  /**
   * KEYS: entry, index, expiries. ARGV: key, entry key prefix, how many due expiries to drain.
   * Returns 1 if a live entry was deleted, else 0.
   */
  static final Script DELETE =
      new Script(
          DRAIN
              + """
              redis.call('ZSCORE', KEYS[2], ARGV[1])
              local due = redis.call('ZRANGE', KEYS[3], '-inf', '(' .. now, 'BYSCORE',
                'LIMIT', 0, tonumber(ARGV[3]))
              -- Every read and check is done: from here on nothing can fail.
              local n = redis.call('DEL', KEYS[1])
              redis.call('ZREM', KEYS[2], ARGV[1])
              redis.call('ZREM', KEYS[3], ARGV[1])
              drain(due, KEYS[2], KEYS[3], ARGV[2])
              return n
              """);

  /**
   * KEYS: index, expiries. ARGV: min, max (ZRANGE BYLEX bounds), limit, entry key prefix, most
   * index members to look at, most value bytes per page. Walks the index from min in batches,
   * returning up to limit live entries; members whose entry is gone (expired) are removed from the
   * index and the expiries on the way (entry hashes are read by names derived from members: see the
   * class comment). Stops before a live entry beyond the limit, or one whose value would take the
   * page past the byte budget when the page is not empty (then more = 1, cursor = the last entry
   * returned), or after looking at the most members allowed (then more = 1, cursor = the last
   * member looked at, so the next call goes on from there). Returns {more, cursor or '', server
   * seconds, server microseconds, then key, value, version, pttl for each entry}.
   */
  static final Script LIST =
      new Script(
          """
          local limit, cap, budget = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[6])
          redis.call('ZCARD', KEYS[2]) -- fails now, before the ZREMs, if not a sorted set
          local min = ARGV[1]
          local t = redis.call('TIME')
          local out = {0, '', t[1], t[2]}
          local count, scanned, bytes, cursor = 0, 0, 0, ''
          local stale = {}
          local done = false
          while not done do
            local batch = redis.call('ZRANGE', KEYS[1], min, ARGV[2], 'BYLEX', 'LIMIT', 0, limit + 1)
            for _, member in ipairs(batch) do
              local key = ARGV[4] .. member
              local h = redis.call('HMGET', key, 'v', 'n')
              if h[1] then
                if count == limit or (count > 0 and bytes + #h[1] > budget) then
                  out[1] = 1
                  done = true
                  break
                end
                count = count + 1
                bytes = bytes + #h[1]
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
            redis.call('ZREM', KEYS[2], unpack(stale))
          end
          out[2] = cursor
          return out
          """);
}
