/**
 * JMH benchmarks of Baton's hot paths against bare floors and peers: looking a handler up in the
 * {@link dev.baton.dispatch.Registry}, drawing commands from a {@link
 * dev.baton.dispatch.CommandPool}, the dispatch round trip against Vert.x and Pekko, and the local
 * task round trip against a bare executor; and plain programs for what JMH cannot measure (the
 * footprint of idle processes, JobRunr's polling job server, remote tasks through a real broker to
 * a worker JVM against Celery and the brokers' own ceilings). Built into {@code
 * baton-bench/target/benchmarks.jar}; see the module's README.
 */
@NullMarked
package dev.baton.bench;

import org.jspecify.annotations.NullMarked;
