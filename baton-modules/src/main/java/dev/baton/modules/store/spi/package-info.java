/**
 * The store module's service provider interface: what a key-value backend implements ({@link
 * dev.baton.modules.store.spi.StoreBackend}; in-memory in {@code dev.baton.modules.store}, Redis in
 * {@code baton-redis}) and the key order every backend lists in ({@link
 * dev.baton.modules.store.spi.KeyOrder}); every backend passes the same contract suite, {@code
 * dev.baton.testkit.StoreContract}.
 */
@NullMarked
package dev.baton.modules.store.spi;

import org.jspecify.annotations.NullMarked;
