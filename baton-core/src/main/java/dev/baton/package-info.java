/** The root exception shared by every Baton module. */
@NullMarked
package dev.baton;

import org.jspecify.annotations.NullMarked;
