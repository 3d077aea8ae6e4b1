/**
 * The exec module (ids 150-159): processes start operating-system processes (no shell, arguments
 * passed as they are), wait for their exit and kill them.
 */
@NullMarked
package dev.baton.modules.exec;

import org.jspecify.annotations.NullMarked;
