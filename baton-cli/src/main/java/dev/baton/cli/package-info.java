/** The {@code baton} command and its entry point. */
@NullMarked
package dev.baton.cli;

import org.jspecify.annotations.NullMarked;
