package dev.baton.node;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * SIGTERM / SIGINT handling for a node run from a command line: the first signal closes the node
 * gracefully on a thread of its own, printing each phase; a second signal, while that close is
 * still running (a task that will not finish, a stuck process), exits at once with {@code 128 +
 * signal} (143 for SIGTERM, 130 for SIGINT) through {@link Runtime#halt}, skipping shutdown hooks.
 *
 * <p><b>Why {@code sun.misc.Signal}.</b> A shutdown hook runs once the JVM has decided to exit, and
 * every later SIGTERM/SIGINT is swallowed by the exit already in progress, so "send it again to
 * force" cannot be written with hooks. {@code sun.misc.Signal} (module {@code jdk.unsupported},
 * kept in every JDK for exactly this) lets the node see each signal. It is called reflectively:
 * javac's "internal proprietary API" warning cannot be suppressed, and the build treats warnings as
 * errors. Installing replaces the JVM's default handlers, so the JVM no longer exits by itself on
 * these signals: the caller exits once {@link Node#awaitStopped} returns.
 *
 * <p><b>Threads.</b> Handlers run on the JVM's signal dispatcher thread and only start a thread or
 * halt, so they never block it.
 */
public final class NodeSignals implements AutoCloseable {
  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private final Node node;
  private final PrintStream out;
  private final AtomicBoolean signalled = new AtomicBoolean();

  /** Pairs of (signal, the handler it had before), to put back on close. */
  @GuardedBy("this")
  private final List<Object[]> previous = new ArrayList<>();

  private NodeSignals(Node node, PrintStream out) {
    this.node = node;
    this.out = out;
  }

  /**
   * Installs the handlers for {@code node}, printing what the shutdown does to {@code out}.
   *
   * @throws IllegalStateException if the platform lacks SIGTERM/SIGINT handling (it has it on Linux
   *     and macOS)
   */
  public static NodeSignals install(Node node, PrintStream out) {
    NodeSignals signals = new NodeSignals(requireNonNull(node, "node"), requireNonNull(out, "out"));
    signals.installHandlers();
    return signals;
  }

  @SuppressWarnings("ReferenceEquality") // a proxy equals only itself
  private synchronized void installHandlers() {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Method getName = signalClass.getMethod("getName");
      Method getNumber = signalClass.getMethod("getNumber");
      Object handler =
          Proxy.newProxyInstance(
              NodeSignals.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                if (method.getName().equals("handle") && args != null && args.length == 1) {
                  Object signal = args[0];
                  handle((String) getName.invoke(signal), (Integer) getNumber.invoke(signal));
                  return null;
                }
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> args != null && proxy == args[0];
                  default -> "NodeSignals handler";
                };
              });
      for (String name : SIGNALS) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        previous.add(new Object[] {signal, handle.invoke(null, signal, handler), handle});
      }
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "cannot install SIGTERM/SIGINT handlers: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "cannot install SIGTERM/SIGINT handlers (sun.misc.Signal of module jdk.unsupported): "
              + e,
          e);
    }
  }

  /** Whether a signal has arrived. */
  public boolean signalled() {
    return signalled.get();
  }

  private void handle(String name, int number) {
    int status = 128 + number;
    if (!signalled.compareAndSet(false, true)) {
      out.println("baton: second SIG" + name + ": exiting now (status " + status + ")");
      out.flush();
      Runtime.getRuntime().halt(status);
      return;
    }
    out.println(
        "baton: SIG"
            + name
            + ": shutting down node "
            + node.name()
            + " gracefully (send it again to exit at once)");
    out.flush();
    Thread closer =
        new Thread(
            () ->
                node.close(
                    phase -> {
                      out.println("baton: " + phase);
                      out.flush();
                    }),
            "baton-node-shutdown");
    closer.start();
  }

  /** Puts back the handlers that were installed before. */
  @Override
  public synchronized void close() {
    for (Object[] entry : previous) {
      @Nullable Object signal = entry[0];
      try {
        ((Method) entry[2]).invoke(null, signal, entry[1]);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot restore the signal handler of " + signal, e);
      }
    }
    previous.clear();
  }
}
