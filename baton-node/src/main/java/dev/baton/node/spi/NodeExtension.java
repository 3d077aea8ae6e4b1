package dev.baton.node.spi;

/**
 * Adds user code to a node: tasks to register and serve, extra components (command modules,
 * contract bindings), and work to start once the node runs. Extensions are found with {@link
 * java.util.ServiceLoader} ({@code provides dev.baton.node.spi.NodeExtension with ...}) and a node
 * uses those its configuration names under {@code extensions:}; code that boots a node itself can
 * pass instances too.
 */
public interface NodeExtension {

  /** The name a configuration uses to select this extension; unique among the installed ones. */
  String name();

  /** Contributes to the node before it boots. Skeleton; the node change defines the context. */
  void extend(ExtensionContext context);
}
