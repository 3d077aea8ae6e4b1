/**
 * Baton's core: command dispatch, boot components and injected time.
 *
 * <p>API, all exported:
 *
 * <ul>
 *   <li>{@code dev.baton} — {@link dev.baton.BatonException}, the root of every Baton error;
 *   <li>{@code dev.baton.dispatch} — commands, ids and their reservation, handlers, the registry,
 *       the router, dispatchers, interceptors and the command pool;
 *   <li>{@code dev.baton.boot} — components, their dependency-ordered boot, and the shared context
 *       of typed keys;
 *   <li>{@code dev.baton.time} — the time source every component reads and schedules on, real and
 *       manual;
 *   <li>{@code dev.baton.testing} — a small booted node for tests of processes, commands and
 *       modules, with bounded waits and no test-framework dependency.
 * </ul>
 *
 * <p>Implementation classes are package-private within those packages. The dispatch package does
 * not depend on the process runtime; the process runtime depends on it.
 */
module dev.baton.core {
  requires transitive org.jspecify;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton;
  exports dev.baton.boot;
  exports dev.baton.dispatch;
  exports dev.baton.process;
  exports dev.baton.time;
  exports dev.baton.testing;
}
