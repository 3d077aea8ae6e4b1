/**
 * The event module (ids 90-99): a node-wide event bus; processes subscribe to topic patterns,
 * publish, and unsubscribe, and their subscriptions end with them.
 */
@NullMarked
package dev.baton.modules.event;

import org.jspecify.annotations.NullMarked;
