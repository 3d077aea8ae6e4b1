/**
 * Tasks: any Java function registered by name, called with arguments, and its return value (or a
 * coded failure) delivered to the caller with a stream of reports.
 *
 * <p>{@link dev.baton.tasks.TaskApp} is the entry point, in local mode (an in-process background
 * job queue; objects pass in memory) or remote mode (a broker and a result backend attached through
 * {@link dev.baton.tasks.spi}). Values here are records; configuration is immutable.
 */
@NullMarked
package dev.baton.tasks;

import org.jspecify.annotations.NullMarked;
