package dev.baton.cli.demo;

import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskContext;
import dev.baton.tasks.TaskName;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Locale;

/**
 * The demo's tasks, registered on a node's task app by the {@code demo} extension, so a node
 * started with {@code extensions: [demo]} serves them to {@code baton call}:
 *
 * <ul>
 *   <li>{@code add(int, int) -> int};
 *   <li>{@code billing.invoice(String, List<Integer>) -> Invoice}, an interface's method;
 *   <li>{@code flaky(String) -> String}: its first two attempts of each call fail, the third
 *       returns the text upper-cased (a call with a retry policy of 3 attempts succeeds);
 *   <li>{@code fail(String)}: always throws, so with retries it ends as a dead letter;
 *   <li>{@code greet(String) -> String}.
 * </ul>
 */
public final class DemoTasks {
  /** The task that always fails. */
  public static final String FAIL = "fail";

  private DemoTasks() {}

  /** A value a task returns. */
  public record Invoice(String customer, long cents) {}

  /** A task contract: its methods become tasks, and a stub calls them. */
  public interface Billing {
    /** Sums the items' cents. */
    @TaskName("billing.invoice")
    Invoice invoice(String customer, List<Integer> itemCents);
  }

  /** The worker's implementation of the contract. */
  static final class RealBilling implements Billing {
    @Override
    public Invoice invoice(String customer, List<Integer> itemCents) {
      return new Invoice(customer, itemCents.stream().mapToLong(Integer::longValue).sum());
    }
  }

  /** Registers the tasks on {@code app}; the caller allocates workers (see {@link #WORKERS}). */
  static void register(TaskApp app) {
    app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
    app.registerAll(Billing.class, new RealBilling(), MethodHandles.lookup());
    app.register(
        "flaky",
        String.class,
        String.class,
        text -> {
          int attempt = TaskContext.current().map(TaskContext::attempt).orElse(1);
          if (attempt < 3) {
            throw new IllegalStateException("transient failure on attempt " + attempt);
          }
          return text.toUpperCase(Locale.ROOT);
        });
    app.register(
        FAIL,
        String.class,
        String.class,
        reason -> {
          throw new IllegalStateException("fails on purpose: " + reason);
        });
    app.register("greet", String.class, String.class, name -> "Hello, " + name + "!");
  }

  /** The workers the demo allocates, per task. */
  static final List<Allocation> WORKERS =
      List.of(
          new Allocation("add", 2),
          new Allocation("billing.invoice", 1),
          new Allocation("flaky", 1),
          new Allocation(FAIL, 1),
          new Allocation("greet", 1));

  /** {@code count} workers for task {@code task}. */
  record Allocation(String task, int count) {}
}
