/**
 * Processes: lightweight state machines that yield commands and resume with their results, run by a
 * {@link dev.baton.process.Scheduler} on a few worker threads.
 *
 * <p>A {@link dev.baton.process.StepProcess} is stepped with the {@link dev.baton.process.Event}s
 * that arrived since its last step (yield completions and messages) and writes to its {@link
 * dev.baton.process.StepOutput} the commands it yields, each under a process-local tag, and what it
 * does next: run again, wait for its yields, wait for messages, or finish with a result. The
 * scheduler routes each yield through the node's {@link dev.baton.dispatch.CommandRouter}; the
 * handler's completion comes back as an event and wakes the process. A process never runs on two
 * workers at once, and an event that arrives while it runs is not lost.
 */
@NullMarked
package dev.baton.process;

import org.jspecify.annotations.NullMarked;
