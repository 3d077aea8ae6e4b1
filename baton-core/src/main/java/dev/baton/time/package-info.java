/**
 * Time, injected: the {@link dev.baton.time.TimeSource} every part of Baton reads the time from and
 * schedules delayed work on, with a real implementation backed by one shared timer thread and a
 * manual one that tests advance by hand, so that no test sleeps to wait for a timer.
 */
@NullMarked
package dev.baton.time;

import org.jspecify.annotations.NullMarked;
