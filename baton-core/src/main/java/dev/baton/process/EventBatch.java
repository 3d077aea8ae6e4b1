package dev.baton.process;

import dev.baton.dispatch.Command;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events queued for a process together with the commands whose completions are among them. An
 * {@link Inbox} fills one batch while the process consumes the other; after consuming, the process
 * releases the commands and clears the batch for reuse, so no list is allocated per step.
 */
final class EventBatch {
  private static final Logger log = LoggerFactory.getLogger(EventBatch.class);

  // Default-constructed: they share an empty array until the first event arrives.
  final ArrayList<Event> events = new ArrayList<>();
  final ArrayList<Command<?>> completedCommands = new ArrayList<>();

  /** How many of {@link #events} are messages (they count against the mailbox bound). */
  int messages;

  /** Releases the completed commands and empties the batch. */
  void releaseAndClear() {
    events.clear();
    messages = 0;
    for (Command<?> command : completedCommands) {
      release(command);
    }
    completedCommands.clear();
  }

  /** Calls {@link Command#release()}, logging rather than propagating a failure. */
  static void release(Command<?> command) {
    try {
      command.release();
    } catch (RuntimeException e) {
      log.warn("releasing command {} threw", command, e);
    }
  }
}
