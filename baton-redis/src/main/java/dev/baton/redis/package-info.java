/**
 * Redis brokers and backend for Baton's tasks. Connect with {@link
 * dev.baton.redis.RedisBroker#connect} (one queue per name) or {@link
 * dev.baton.redis.RedisSharedQueueBroker#connect} (one shared queue), and {@link
 * dev.baton.redis.RedisBackend#connect}.
 */
@NullMarked
package dev.baton.redis;

import org.jspecify.annotations.NullMarked;
