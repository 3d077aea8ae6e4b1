/**
 * JMH benchmarks of Baton's dispatch hot paths: looking a handler up in the {@link
 * dev.baton.dispatch.Registry} and drawing commands from a {@link dev.baton.dispatch.CommandPool}.
 * Built into {@code baton-bench/target/benchmarks.jar}; see the module's README.
 */
@NullMarked
package dev.baton.bench;

import org.jspecify.annotations.NullMarked;
