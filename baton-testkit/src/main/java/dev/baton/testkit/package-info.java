/**
 * Contract suites for Baton's task adapters. An adapter's test class extends a suite and implements
 * its few abstract factory methods; see each suite's class comment.
 */
@NullMarked
package dev.baton.testkit;

import org.jspecify.annotations.NullMarked;
