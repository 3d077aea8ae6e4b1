/**
 * The store module (ids 120-129): a versioned key-value store with listing by prefix, expiry and
 * compare-and-set, over a backend plugged in through {@code dev.baton.modules.store.spi}.
 */
@NullMarked
package dev.baton.modules.store;

import org.jspecify.annotations.NullMarked;
