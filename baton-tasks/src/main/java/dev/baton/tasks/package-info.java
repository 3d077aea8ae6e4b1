/**
 * Tasks: any Java function registered by name, called with arguments, and its return value (or a
 * coded failure) delivered to the caller with a stream of reports.
 *
 * <p>{@link dev.baton.tasks.TaskApp} is the entry point, in local mode (an in-process background
 * job queue; objects pass in memory) or remote mode (a broker and a result backend attached through
 * {@link dev.baton.tasks.spi}). Values here are records; configuration is immutable.
 *
 * <p>A {@link dev.baton.tasks.TaskObserver} hears each side of every call (sent, attempts, dead
 * letters, the outcome), and every call carries a W3C {@link dev.baton.tasks.TraceParent}: nested
 * calls continue their caller's trace, and workers run each attempt as a child span ({@link
 * dev.baton.tasks.TaskContext#trace()}).
 */
@NullMarked
package dev.baton.tasks;

import org.jspecify.annotations.NullMarked;
