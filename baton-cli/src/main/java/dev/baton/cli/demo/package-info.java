/**
 * {@code baton demo}: boots the dispatch core on the embedded default, with a small example module
 * ({@link dev.baton.cli.demo.GreeterModule}), dispatches commands down every path a command can
 * take and prints what happened.
 */
@NullMarked
package dev.baton.cli.demo;

import org.jspecify.annotations.NullMarked;
