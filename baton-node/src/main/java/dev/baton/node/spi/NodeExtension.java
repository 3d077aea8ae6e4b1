package dev.baton.node.spi;

/**
 * Adds user code to a node: tasks to register and serve, extra components (command modules,
 * contract bindings, workflows), and work to start once the node runs. Extensions are found with
 * {@link java.util.ServiceLoader} ({@code provides dev.baton.node.spi.NodeExtension with ...}) and
 * a node installs those its configuration names under {@code extensions:}; code that boots a node
 * itself can pass instances to {@code Node.start} too.
 *
 * <p>An implementation found by the service loader needs a public no-argument constructor (or a
 * public static {@code provider()} method).
 */
public interface NodeExtension {

  /** The name a configuration uses to select this extension; unique among the installed ones. */
  String name();

  /**
   * Contributes to the node before it boots, through {@code context} (valid only during this call).
   * An exception fails the node's start.
   */
  void extend(ExtensionContext context);
}
