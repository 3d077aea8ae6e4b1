/**
 * Redis broker and backend for Baton's tasks. Connect with {@link
 * dev.baton.redis.RedisBroker#connect} and {@link dev.baton.redis.RedisBackend#connect}.
 */
@NullMarked
package dev.baton.redis;

import org.jspecify.annotations.NullMarked;
