package dev.baton.node.spi;

import dev.baton.boot.AppContext;
import dev.baton.boot.Component;
import dev.baton.contract.Binding;
import dev.baton.node.NodeConfig;
import dev.baton.tasks.TaskApp;
import dev.baton.workflow.Workflow;
import java.util.function.Consumer;

/**
 * What an extension may contribute to a node, while {@link NodeExtension#extend} runs (before the
 * node boots): tasks on the node's task app and workers for them, boot components (command modules
 * with {@code Dispatcher.component(...)}, services), contract bindings, workflow types, and actions
 * to run once the node has started.
 *
 * <p>Only valid during {@code extend}: a call after it returns throws {@link
 * IllegalStateException}. Not thread-safe; the node calls extensions one at a time.
 */
public interface ExtensionContext {

  /** The node's configuration. */
  NodeConfig config();

  /**
   * The node's task app, to register tasks on ({@code register}, {@code registerAll}, {@code
   * setOption}). Workers are allocated with {@link #allocate}, not on the app directly, so they
   * start consuming only once the whole node has started.
   *
   * @throws IllegalStateException if the configuration turned tasks off ({@code tasks.enabled:
   *     false})
   */
  TaskApp tasks();

  /**
   * Allocates {@code count} workers to the registered task {@code name} when the node has started
   * (added to any {@code tasks.workers} allocation of the configuration).
   *
   * @throws IllegalArgumentException if {@code count < 1}
   */
  void allocate(String name, int count);

  /** Adds a boot component (a command module, a service); its name must be unique in the node. */
  void component(Component component);

  /**
   * Adds a contract binding, served by the node's contract module.
   *
   * @throws IllegalStateException if the contract module is disabled
   */
  void binding(Binding binding);

  /**
   * Registers a workflow type with the node's workflow module.
   *
   * @throws IllegalStateException if the workflow module is disabled
   */
  void workflow(String type, Workflow workflow);

  /**
   * Runs {@code action} with the node's services once every component has started and workers are
   * allocated, on the thread that started the node; an exception fails the start (the node is
   * closed and {@code Node.start} throws it).
   */
  void onStarted(Consumer<AppContext> action);
}
