/** A Baton node: configuration, boot and graceful shutdown of a configured set of components. */
@NullMarked
package dev.baton.node;

import org.jspecify.annotations.NullMarked;
