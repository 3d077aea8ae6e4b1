/** The node's web dashboard and its JSON API. */
@NullMarked
package dev.baton.dashboard;

import org.jspecify.annotations.NullMarked;
