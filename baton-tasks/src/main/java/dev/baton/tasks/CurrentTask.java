package dev.baton.tasks;

/** Holds the {@link ScopedValue} that binds a running task's {@link TaskContext}. */
final class CurrentTask {

  static final ScopedValue<TaskContext> CONTEXT = ScopedValue.newInstance();

  private CurrentTask() {}
}
