/**
 * The stream module (ids 50-59): processes read, write, seek, flush, inspect and close byte streams
 * (files and TCP connections here; exec's process pipes and http's response bodies register through
 * {@link dev.baton.modules.stream.StreamTable#open}), and scan them into lines, words or bytes.
 */
@NullMarked
package dev.baton.modules.stream;

import org.jspecify.annotations.NullMarked;
