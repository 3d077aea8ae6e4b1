/**
 * What the standard modules share and users do not see: who the caller is, and the table of
 * resources each process owns. Not exported.
 */
@NullMarked
package dev.baton.modules.internal;

import org.jspecify.annotations.NullMarked;
