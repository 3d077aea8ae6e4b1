package dev.baton.contract;

import dev.baton.dispatch.Command;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A step process that yields commands one after the other, each made from the previous completion's
 * result, and ends with every completion it received (stopping at the first error); with {@code
 * messages} &gt; 0 it then waits for that many messages and ends with them appended.
 */
final class Steps implements StepProcess {
  private final List<Function<@Nullable Object, Command<?>>> commands;
  private final int messages;
  private final List<Object> seen = new ArrayList<>();
  private int next;
  private @Nullable Object last;
  private int received;

  Steps(int messages, List<Function<@Nullable Object, Command<?>>> commands) {
    this.messages = messages;
    this.commands = List.copyOf(commands);
  }

  @Override
  public void step(List<Event> events, StepOutput out) {
    for (Event event : events) {
      if (event instanceof Event.Completion completion) {
        seen.add(completion);
        if (completion.error() != null) {
          out.done(List.copyOf(seen));
          return;
        }
        last = completion.result();
      } else if (event instanceof Message message) {
        seen.add(message);
        received++;
      }
    }
    if (next < commands.size()) {
      out.yield(commands.get(next++).apply(last));
      out.waitForYields();
    } else if (received < messages) {
      out.idle();
    } else {
      out.done(List.copyOf(seen));
    }
  }
}
