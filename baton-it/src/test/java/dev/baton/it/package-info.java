/**
 * Smoke tests that Baton's external servers (Redis, RabbitMQ) answer; {@code scripts/test} starts
 * them and runs these in {@code verify}.
 */
@NullMarked
package dev.baton.it;

import org.jspecify.annotations.NullMarked;
