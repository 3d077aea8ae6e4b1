/**
 * Boot: components with dependencies, loaded in a deterministic order into one shared {@link
 * dev.baton.boot.AppContext}, then frozen, sealed and started; stopped in reverse.
 *
 * <p>A node is a set of {@link dev.baton.boot.Component}s handed to {@link dev.baton.boot.Boot}.
 * Each component names the components it depends on; its {@code load} receives the context built by
 * the components loaded before it and returns that context enriched with the services it provides,
 * under typed {@link dev.baton.boot.Key}s. When every component has loaded, every {@link
 * dev.baton.boot.Freezable} service (the command registry) is frozen and the context is sealed, so
 * that the hot paths read it without locks; then the components start in load order.
 */
@NullMarked
package dev.baton.boot;

import org.jspecify.annotations.NullMarked;
