/** How user code plugs into a node: {@link dev.baton.node.spi.NodeExtension}. */
@NullMarked
package dev.baton.node.spi;

import org.jspecify.annotations.NullMarked;
