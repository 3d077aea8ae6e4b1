/**
 * Command dispatch: {@link dev.baton.dispatch.Command}s identified by a {@link
 * dev.baton.dispatch.CommandId}, routed by a {@link dev.baton.dispatch.Registry} to asynchronous
 * {@link dev.baton.dispatch.Handler}s, which complete a correlation tag through a {@link
 * dev.baton.dispatch.ResultReceiver}.
 *
 * <p>The flow: a caller (a process) yields a command with a tag; the {@link
 * dev.baton.dispatch.CommandRouter} looks up the handler for the command's id in the frozen
 * registry (no lock) and calls it; the handler returns at once and later, from any thread,
 * completes the tag with a result or an error; the receiver queues that completion for the caller.
 * Every failure on the way (no handler, a handler that throws) is delivered as an error completion
 * of the same tag, never thrown at the caller's worker.
 *
 * <p>Ids are owned by modules: a module reserves its ids in the node's {@link
 * dev.baton.dispatch.CommandIdReservations} and may only register handlers for those. {@link
 * dev.baton.dispatch.CommandRanges} publishes the ranges Baton's standard modules own. This package
 * does not depend on the process runtime: the caller's identity reaches handlers as an opaque value
 * of the {@link dev.baton.dispatch.CommandContext}.
 */
@NullMarked
package dev.baton.dispatch;

import org.jspecify.annotations.NullMarked;
