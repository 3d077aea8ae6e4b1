/**
 * The workflow command module (ids 180-189): durable processes whose yields and results are
 * journaled, replayed deterministically after a crash.
 */
@NullMarked
package dev.baton.workflow;

import org.jspecify.annotations.NullMarked;
