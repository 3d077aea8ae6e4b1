package dev.baton.dispatch;

/** Small commands shared by the dispatch tests. */
final class TestCommands {
  static final CommandId ECHO_ID = CommandId.of(200);
  static final CommandId CUSTOM_ID = CommandId.of(300);

  /** Asks for its text back. */
  record Echo(String text) implements Command<String> {
    @Override
    public CommandId commandId() {
      return ECHO_ID;
    }
  }

  /** A command whose id is chosen by the test. */
  record AnyId(CommandId commandId) implements Command<Object> {}

  private TestCommands() {}
}
