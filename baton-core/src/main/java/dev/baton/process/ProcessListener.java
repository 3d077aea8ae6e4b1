package dev.baton.process;

/**
 * Hooks called once per process: when it has started and when it has ended. Both must return
 * quickly and must not throw (an exception is logged and ignored).
 */
public interface ProcessListener {

  /** Called on the spawning thread after the process's {@code init}, before its first step. */
  default void onStart(Pid pid) {}

  /** Called once, on the thread that ended the process, after its {@code close}. */
  default void onComplete(Pid pid, ProcessResult result) {}
}
