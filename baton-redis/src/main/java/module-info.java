/**
 * Baton's Redis adapter: {@link dev.baton.redis.RedisBroker} (tasks on Redis Streams with one
 * consumer group per queue, delayed tasks in sorted sets, dead-letter streams, revocations and
 * heartbeats with expiry), {@link dev.baton.redis.RedisSharedQueueBroker} (the same on one shared
 * queue for every task name, routed by name in the worker) and {@link dev.baton.redis.RedisBackend}
 * (reports in lists with expiry, streamed to polls through one shared pub/sub connection), on
 * Lettuce. All connect by URI: {@code redis://[[user]:password@]host[:port][/database]}, or {@code
 * rediss://} for TLS (certificate chain and host name verified; trust store and verification mode
 * as query parameters).
 */
// Lettuce ships as an automatic module (Automatic-Module-Name lettuce.core).
@SuppressWarnings("requires-automatic")
module dev.baton.redis {
  requires transitive dev.baton.tasks;
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires lettuce.core;

  exports dev.baton.redis;
}
