/**
 * The clock module (ids 10-29): sleep, tickers and timers on the node's time source, delivering
 * ticks and fires to the owning process as messages.
 */
@NullMarked
package dev.baton.modules.clock;

import org.jspecify.annotations.NullMarked;
