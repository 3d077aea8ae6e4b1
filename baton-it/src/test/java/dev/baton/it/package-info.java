/**
 * Integration tests run in {@code verify}: smoke tests that Baton's external servers (Redis,
 * RabbitMQ) answer, which {@code scripts/test} starts, and a node that boots every command module
 * of both parts together and uses each family from one process.
 */
@NullMarked
package dev.baton.it;

import org.jspecify.annotations.NullMarked;
