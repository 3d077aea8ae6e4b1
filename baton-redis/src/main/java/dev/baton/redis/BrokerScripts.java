package dev.baton.redis;

/**
 * The broker's Lua scripts: each settlement, send and move is one atomic script, so a crash never
 * leaves a task half moved (stored in neither place, or acknowledged before its successor is
 * stored).
 */
final class BrokerScripts {
  private BrokerScripts() {}

  private static final String ENSURE =
      """
      local function ensure(key, g)
        if redis.call('EXISTS', key) == 0 then
          redis.call('XGROUP', 'CREATE', key, g, '0', 'MKSTREAM')
        end
      end
      """;

  private static final String OWNED =
      """
      local function owned(key, g, c, id)
        local p = redis.call('XPENDING', key, g, id, id, 1, c)
        return #p > 0
      end
      """;

  /**
   * KEYS: stream, queues. ARGV: group, body, queue, channel, revocation key. The entry carries the
   * task's revocation key ({@code k}) so that {@link #FETCH} can say whether it is revoked.
   */
  static final Script SEND =
      new Script(
          ENSURE
              + """
              ensure(KEYS[1], ARGV[1])
              redis.call('XADD', KEYS[1], '*', 'b', ARGV[2], 'k', ARGV[5])
              redis.call('SADD', KEYS[2], ARGV[3])
              redis.call('PUBLISH', ARGV[4], '1')
              return 1
              """);

  /**
   * KEYS: revocation key. ARGV: time to live in millis, channel. Stores the revocation and
   * announces it ({@code <ttl>:<key>}) to every broker's revocation set.
   */
  static final Script REVOKE =
      new Script(
          """
          redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
          redis.call('PUBLISH', ARGV[2], ARGV[1] .. ':' .. KEYS[1])
          return 1
          """);

  /** KEYS: delayed, bodies, due, queues. ARGV: token, eta millis, body, queue. */
  static final Script SEND_DELAYED =
      new Script(
          """
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
          redis.call('ZADD', KEYS[3], 'LT', ARGV[2], ARGV[4])
          redis.call('SADD', KEYS[4], ARGV[4])
          return 1
          """);

  /**
   * KEYS: the ten streams, highest priority first; the extension hash. ARGV: group, consumer,
   * count, reclaim (1 or 0), lease millis. Claims expired deliveries first (when reclaim is 1),
   * then reads new entries, highest priority first; a stream that exists without the group (created
   * by another client's {@code XADD}, which {@code ensure} then takes for one of ours) gets it
   * here, from its first entry, so nothing written to it is left unread. Returns {priority, id,
   * body, deliveries}... where deliveries counts earlier entries' deliveries ({@code d}) plus the
   * pending-entry counter, and then, for an entry that names its revocation key ({@code k}),
   * whether that key exists (1 or 0) and the key; else -1 and ''.
   */
  static final Script FETCH =
      new Script(
          """
          local g, c, n, lease = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[5])
          local out = {}
          local function add(prio, id, fields, count)
            local body, base, rv = '', 0, nil
            if type(fields) == 'table' then
              for i = 1, #fields, 2 do
                if fields[i] == 'b' then body = fields[i + 1]
                elseif fields[i] == 'd' then base = tonumber(fields[i + 1]) or 0
                elseif fields[i] == 'k' then rv = fields[i + 1] end
              end
            end
            out[#out + 1] = prio
            out[#out + 1] = id
            out[#out + 1] = body
            out[#out + 1] = base + count
            if rv then
              out[#out + 1] = redis.call('EXISTS', rv)
              out[#out + 1] = rv
            else
              out[#out + 1] = -1
              out[#out + 1] = ''
            end
            n = n - 1
          end
          if ARGV[4] == '1' then
            for k = 1, 10 do
              if n <= 0 then break end
              local key = KEYS[k]
              local prio = 10 - k
              if redis.call('EXISTS', key) == 1 then
                local pend = redis.pcall('XPENDING', key, g, 'IDLE', lease, '-', '+', 100)
                if type(pend) == 'table' and not pend.err then
                  for _, p in ipairs(pend) do
                    if n <= 0 then break end
                    local id, idle, count = p[1], tonumber(p[3]), tonumber(p[4])
                    local field = prio .. ':' .. id
                    local extra = tonumber(redis.call('HGET', KEYS[11], field) or '0') or 0
                    if idle >= lease + extra then
                      local r = redis.call('XCLAIM', key, g, c, lease + extra, id)
                      redis.call('HDEL', KEYS[11], field)
                      if type(r[1]) == 'table' and type(r[1][2]) == 'table' then
                        add(prio, id, r[1][2], count + 1)
                      elseif #r > 0 then
                        redis.call('XACK', key, g, id)
                      end
                    end
                  end
                end
              end
            end
          end
          for k = 1, 10 do
            if n <= 0 then break end
            local key = KEYS[k]
            if redis.call('EXISTS', key) == 1 then
              local res = redis.pcall('XREADGROUP', 'GROUP', g, c, 'COUNT', n, 'STREAMS', key, '>')
              if type(res) == 'table' and res.err and string.find(res.err, 'NOGROUP', 1, true) then
                -- a stream another client created has no group yet: read it from its first entry
                redis.pcall('XGROUP', 'CREATE', key, g, '0')
                res = redis.pcall('XREADGROUP', 'GROUP', g, c, 'COUNT', n, 'STREAMS', key, '>')
              end
              if type(res) == 'table' and not res.err and res[1] then
                for _, e in ipairs(res[1][2]) do add(10 - k, e[1], e[2], 1) end
              end
            end
          end
          return out
          """);

  /**
   * KEYS: delayed, bodies, due, then the ten streams from priority 0. ARGV: queue, now millis,
   * limit, group, channel. Moves due tasks to their streams; returns how many.
   */
  static final Script MOVE =
      new Script(
          ENSURE
              + """
              local toks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
              for _, t in ipairs(toks) do
                local p = tonumber(string.match(t, '^(%d+):')) or 0
                if p < 0 or p > 9 then p = 0 end
                local body = redis.call('HGET', KEYS[2], t)
                if body then
                  local s = KEYS[4 + p]
                  ensure(s, ARGV[4])
                  redis.call('XADD', s, '*', 'b', body)
                end
                redis.call('HDEL', KEYS[2], t)
                redis.call('ZREM', KEYS[1], t)
              end
              local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              if #first == 0 then
                redis.call('ZREM', KEYS[3], ARGV[1])
              else
                redis.call('ZADD', KEYS[3], first[2], ARGV[1])
              end
              if #toks > 0 then redis.call('PUBLISH', ARGV[5], '1') end
              return #toks
              """);

  /** KEYS: stream, ext. ARGV: group, consumer, id, ext field. 1 if acked, 0 if not held. */
  static final Script ACK =
      new Script(
          OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
              redis.call('XDEL', KEYS[1], ARGV[3])
              redis.call('HDEL', KEYS[2], ARGV[4])
              return 1
              """);

  /**
   * KEYS: stream, ext. ARGV: group, consumer, id, ext field, body, deliveries so far, channel,
   * revocation key ('' if unknown). Re-adds the body (with its delivery count) as a new entry and
   * removes the old one.
   */
  static final Script RELEASE =
      new Script(
          OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              if ARGV[8] == '' then
                redis.call('XADD', KEYS[1], '*', 'b', ARGV[5], 'd', ARGV[6])
              else
                redis.call('XADD', KEYS[1], '*', 'b', ARGV[5], 'd', ARGV[6], 'k', ARGV[8])
              end
              redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
              redis.call('XDEL', KEYS[1], ARGV[3])
              redis.call('HDEL', KEYS[2], ARGV[4])
              redis.call('PUBLISH', ARGV[7], '1')
              return 1
              """);

  /**
   * KEYS: stream, ext, target stream, queues. ARGV: group, consumer, id, ext field, next body, next
   * queue, channel of the next queue, revocation key of the next. Stores the next attempt, then
   * removes this one.
   */
  static final Script REQUEUE_NOW =
      new Script(
          ENSURE
              + OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              ensure(KEYS[3], ARGV[1])
              redis.call('XADD', KEYS[3], '*', 'b', ARGV[5], 'k', ARGV[8])
              redis.call('SADD', KEYS[4], ARGV[6])
              redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
              redis.call('XDEL', KEYS[1], ARGV[3])
              redis.call('HDEL', KEYS[2], ARGV[4])
              redis.call('PUBLISH', ARGV[7], '1')
              return 1
              """);

  /**
   * KEYS: stream, ext, delayed, bodies, due, queues. ARGV: group, consumer, id, ext field, next
   * body, next queue, token, eta millis. Stores the next attempt as delayed, then removes this one.
   */
  static final Script REQUEUE_LATER =
      new Script(
          OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
              redis.call('HSET', KEYS[4], ARGV[7], ARGV[5])
              redis.call('ZADD', KEYS[5], 'LT', ARGV[8], ARGV[6])
              redis.call('SADD', KEYS[6], ARGV[6])
              redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
              redis.call('XDEL', KEYS[1], ARGV[3])
              redis.call('HDEL', KEYS[2], ARGV[4])
              return 1
              """);

  /**
   * KEYS: stream, ext, dead, queues. ARGV: group, consumer, id, ext field, body, priority, code,
   * message, at millis, name ('' if unknown), task id, queue. Records the queue in {@code
   * baton:queues}, so the dead letter is listed even if the queue was never declared or sent to
   * through a broker (an entry another client wrote).
   */
  static final Script DEAD_LETTER =
      new Script(
          OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              if ARGV[10] == '' then
                redis.call('XADD', KEYS[3], '*', 'b', ARGV[5], 'p', ARGV[6], 'code', ARGV[7],
                  'msg', ARGV[8], 'at', ARGV[9])
              else
                redis.call('XADD', KEYS[3], '*', 'b', ARGV[5], 'p', ARGV[6], 'code', ARGV[7],
                  'msg', ARGV[8], 'at', ARGV[9], 'n', ARGV[10], 'i', ARGV[11])
              end
              redis.call('SADD', KEYS[4], ARGV[12])
              redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
              redis.call('XDEL', KEYS[1], ARGV[3])
              redis.call('HDEL', KEYS[2], ARGV[4])
              return 1
              """);

  /**
   * KEYS: stream, ext. ARGV: group, consumer, id, ext field, extra millis beyond the lease. Resets
   * the entry's idle time (XCLAIM JUSTID, which leaves the delivery counter alone).
   */
  static final Script RENEW =
      new Script(
          OWNED
              + """
              if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
              redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
              if tonumber(ARGV[5]) > 0 then
                redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
              else
                redis.call('HDEL', KEYS[2], ARGV[4])
              end
              return 1
              """);

  /** KEYS: the ten streams, delayed, dead. ARGV: group. Returns {ready, delayed, unacked, dead}. */
  static final Script STATS =
      new Script(
          """
          local len, pend = 0, 0
          for k = 1, 10 do
            if redis.call('EXISTS', KEYS[k]) == 1 then
              len = len + redis.call('XLEN', KEYS[k])
              local s = redis.pcall('XPENDING', KEYS[k], ARGV[1])
              if type(s) == 'table' and not s.err then pend = pend + tonumber(s[1]) end
            end
          end
          return {len - pend, redis.call('ZCARD', KEYS[11]), pend, redis.call('XLEN', KEYS[12])}
          """);

  /**
   * KEYS: dead, the ten streams from priority 0, queues. ARGV: dead-letter entry id, group,
   * channel, queue. Puts the body back as a fresh entry; 0 if there is no such dead letter.
   */
  static final Script RETRY_DEAD =
      new Script(
          ENSURE
              + """
              local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
              if #e == 0 then return 0 end
              local f = e[1][2]
              local body, p = '', 0
              for i = 1, #f, 2 do
                if f[i] == 'b' then body = f[i + 1]
                elseif f[i] == 'p' then p = tonumber(f[i + 1]) or 0 end
              end
              if p < 0 or p > 9 then p = 0 end
              local s = KEYS[2 + p]
              ensure(s, ARGV[2])
              redis.call('XADD', s, '*', 'b', body)
              redis.call('XDEL', KEYS[1], ARGV[1])
              redis.call('SADD', KEYS[12], ARGV[4])
              redis.call('PUBLISH', ARGV[3], '1')
              return 1
              """);

  /**
   * KEYS: the ten streams. ARGV: group, consumer. Deletes the consumer from each stream's group
   * where it holds no pending entry (deleting one that holds entries would drop them).
   */
  static final Script FORGET_CONSUMER =
      new Script(
          """
          for k = 1, 10 do
            if redis.call('EXISTS', KEYS[k]) == 1 then
              local p = redis.pcall('XPENDING', KEYS[k], ARGV[1], '-', '+', 1, ARGV[2])
              if type(p) == 'table' and not p.err and #p == 0 then
                redis.pcall('XGROUP', 'DELCONSUMER', KEYS[k], ARGV[1], ARGV[2])
              end
            end
          end
          return 1
          """);
}
