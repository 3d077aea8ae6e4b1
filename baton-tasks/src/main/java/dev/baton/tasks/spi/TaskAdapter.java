package dev.baton.tasks.spi;

/**
 * What every attached object is: something a {@link dev.baton.tasks.TaskApp} attaches to, emits
 * events through, and detaches from when it closes.
 *
 * <p>One adapter may serve several apps at once (a caller app and a worker app in one JVM share an
 * in-memory broker in the contract suites), so an app never closes what it did not create: it calls
 * {@link #detach} and the adapter's owner calls {@link #close()}.
 */
public interface TaskAdapter extends AutoCloseable {

  /**
   * Called when an app attaches this adapter, before any other call from that app. Adapters that
   * emit events keep the context and emit through every context attached.
   */
  default void attach(AdapterContext context) {}

  /** Called when the app that attached with {@code context} closes; stop emitting through it. */
  default void detach(AdapterContext context) {}

  /** Releases the adapter's connections and threads. Idempotent. */
  @Override
  void close();
}
