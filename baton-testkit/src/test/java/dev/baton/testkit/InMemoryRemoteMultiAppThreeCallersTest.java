package dev.baton.testkit;

/**
 * The multi-app contract on the in-memory broker and backend with three callers and three workers.
 */
class InMemoryRemoteMultiAppThreeCallersTest extends InMemoryRemoteMultiAppTest {

  @Override
  protected int callers() {
    return 3;
  }
}
