/**
 * The store module's service provider interface: what a key-value backend implements (in-memory
 * here, Redis in {@code baton-redis}); every backend passes the same contract suite.
 */
@NullMarked
package dev.baton.modules.store.spi;

import org.jspecify.annotations.NullMarked;
