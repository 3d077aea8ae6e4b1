package dev.baton.testkit;

import dev.baton.tasks.TaskApp;

/**
 * A local-mode app (no broker: tasks and reports pass as objects) meets the single-app contract.
 */
class LocalModeSingleAppTest extends SingleAppContract {

  @Override
  protected TaskApp newApp() {
    return TaskApp.local();
  }
}
