package dev.baton.process;

/**
 * How a scheduler's shutdown went.
 *
 * @param cancelled processes that ended after the cooperative cancel, before the deadline
 * @param terminated processes terminated after the deadline
 * @param stuck processes still running a step when the shutdown gave up (a step that never returns
 *     cannot be stopped)
 */
public record ShutdownReport(int cancelled, int terminated, int stuck) {}
