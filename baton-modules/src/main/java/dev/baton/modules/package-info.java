/**
 * What every standard module shares: the root of their exceptions ({@link
 * dev.baton.modules.ModuleException}) and the failures common to all of them.
 */
@NullMarked
package dev.baton.modules;

import org.jspecify.annotations.NullMarked;
