/**
 * The eval command module (ids 170-179): user scripts compiled and run in a sandbox, as calls or as
 * processes that yield whitelisted commands.
 */
@NullMarked
package dev.baton.eval;

import org.jspecify.annotations.NullMarked;
