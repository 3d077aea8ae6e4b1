package dev.baton.cli.demo;

import dev.baton.contract.Binding;
import dev.baton.dispatch.Dispatcher;
import dev.baton.node.NodeConfig;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;

/**
 * The {@code demo} extension: the example {@link GreeterModule}, the demo's tasks ({@link
 * DemoTasks}) with their workers, a contract binding ({@code greeter}) and a workflow type ({@code
 * greet}) the modules part of the demo uses. Installed by {@code baton demo}; a node's
 * configuration names it with {@code extensions: [demo]} (for example a worker for {@code baton
 * call}).
 */
public final class DemoExtension implements NodeExtension {
  /** The name a node's configuration uses. */
  public static final String NAME = "demo";

  /** The contract bound as {@code greeter}; public, so the contract module may call it. */
  public interface Greeter {
    /** Greets {@code name}. */
    String greet(String name);
  }

  /** Created by the service loader, and by {@code baton demo}. */
  public DemoExtension() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void extend(ExtensionContext context) {
    NodeConfig config = context.config();
    context.component(Dispatcher.component(new GreeterModule()));
    if (config.tasks().enabled()) {
      DemoTasks.register(context.tasks());
      for (DemoTasks.Allocation allocation : DemoTasks.WORKERS) {
        context.allocate(allocation.task(), allocation.count());
      }
    }
    if (!config.modules().disabled().contains("contract")) {
      context.binding(Binding.shared("greeter", Greeter.class, name -> "hi " + name));
    }
    if (!config.modules().disabled().contains("workflow")) {
      context.workflow(
          "greet",
          (scope, input) ->
              scope.sideEffect("greeting", String.class, () -> "hello, " + input) + "!");
    }
  }
}
