/**
 * The process module (ids 1-9): processes send, spawn, terminate, cancel, monitor and link other
 * processes, and spawn a child and wait for its result, through commands.
 */
@NullMarked
package dev.baton.modules.process;

import org.jspecify.annotations.NullMarked;
