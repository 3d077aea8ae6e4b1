/**
 * The function module (ids 140-149): processes call tasks of the node's {@link
 * dev.baton.tasks.TaskApp}, locally or on a remote worker, and wait for the result or receive it
 * later as a message.
 */
@NullMarked
package dev.baton.modules.function;

import org.jspecify.annotations.NullMarked;
