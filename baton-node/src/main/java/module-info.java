/**
 * A Baton node (skeleton; the node change of issue 8 fills it in).
 *
 * <ul>
 *   <li>API — {@code dev.baton.node}: {@link dev.baton.node.Node}, {@link
 *       dev.baton.node.NodeConfig};
 *   <li>SPI — {@code dev.baton.node.spi}: {@link dev.baton.node.spi.NodeExtension}, how user code
 *       adds tasks, modules and work to a node.
 * </ul>
 */
module dev.baton.node {
  requires transitive dev.baton.modules;
  requires transitive dev.baton.dashboard;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.node;
  exports dev.baton.node.spi;

  uses dev.baton.node.spi.NodeExtension;
}
