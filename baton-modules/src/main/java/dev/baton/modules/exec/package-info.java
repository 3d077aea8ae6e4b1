/**
 * The exec module (ids 150-159): processes start operating-system processes (no shell, arguments
 * passed as they are), wait for their exit and kill them; with {@link
 * dev.baton.modules.exec.ExecModule#withStreams()}, a program's stdin, stdout and stderr can be
 * pipes the starting process writes and reads as streams of the stream module.
 */
@NullMarked
package dev.baton.modules.exec;

import org.jspecify.annotations.NullMarked;
