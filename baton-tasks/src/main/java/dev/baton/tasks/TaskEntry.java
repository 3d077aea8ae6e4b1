package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.internal.ArgumentCorrector;

/**
 * A registered task: its signature, body, the corrector its arguments pass through in local mode,
 * and the invoker that calls it.
 */
record TaskEntry(TaskSignature signature, TaskFunction function, ArgumentCorrector corrector) {

  TaskEntry {
    requireNonNull(signature, "signature");
    requireNonNull(function, "function");
    requireNonNull(corrector, "corrector");
  }

  String name() {
    return signature.name();
  }
}
