package dev.baton.modules.clock;

import dev.baton.dispatch.Command;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A step process that runs a script: each line yields one or more commands built from the
 * completions so far, and the next line runs once all of them have completed. After the last line
 * it waits for {@code messagesToAwait} messages, then ends with an {@link Outcome} of everything it
 * saw. {@link #stage()} tells a test which line is pending, so it can move manual time knowing what
 * the process waits for.
 */
final class ScriptedStep implements StepProcess {

  /**
   * What the process saw: every event (completions, tags from 1, and messages) in one log, in the
   * order the process received them, so a test can assert the order between the two kinds.
   */
  record Outcome(List<Event> log) {

    /** The completions, in arrival order. */
    List<Event.Completion> completions() {
      return log.stream()
          .filter(Event.Completion.class::isInstance)
          .map(Event.Completion.class::cast)
          .toList();
    }

    /** The messages, in arrival order. */
    List<Message> messages() {
      return log.stream().filter(Message.class::isInstance).map(Message.class::cast).toList();
    }

    /** The position in {@link #log} of the completion of {@code tag}. */
    int indexOfTag(long tag) {
      for (int i = 0; i < log.size(); i++) {
        if (log.get(i) instanceof Event.Completion completion && completion.tag() == tag) {
          return i;
        }
      }
      throw new AssertionError("no completion for tag " + tag);
    }

    /** The completion of the command yielded under {@code tag}. */
    Event.Completion ofTag(long tag) {
      return completions().stream()
          .filter(completion -> completion.tag() == tag)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no completion for tag " + tag));
    }
  }

  private final List<Function<List<Event.Completion>, List<Command<?>>>> lines;
  private final int messagesToAwait;
  private final List<Event.Completion> completions = new ArrayList<>();
  private final List<Message> messages = new ArrayList<>();
  private final List<Event> log = new ArrayList<>();
  private final AtomicInteger stage = new AtomicInteger();
  private int outstanding;

  private ScriptedStep(
      List<Function<List<Event.Completion>, List<Command<?>>>> lines, int messagesToAwait) {
    this.lines = lines;
    this.messagesToAwait = messagesToAwait;
  }

  /** Starts a script. */
  static Builder script() {
    return new Builder();
  }

  /** How many lines have been yielded so far (1 while the first line's commands are pending). */
  int stage() {
    return stage.get();
  }

  @Override
  public void step(List<Event> events, StepOutput out) {
    for (Event event : events) {
      log.add(event);
      switch (event) {
        case Event.Completion completion -> {
          completions.add(completion);
          outstanding--;
        }
        case Message message -> messages.add(message);
      }
    }
    if (outstanding > 0) {
      out.waitForYields();
      return;
    }
    int next = stage.get();
    if (next < lines.size()) {
      List<Command<?>> commands = lines.get(next).apply(List.copyOf(completions));
      for (Command<?> command : commands) {
        var _ = out.yield(command);
        outstanding++;
      }
      stage.incrementAndGet();
      out.waitForYields();
      return;
    }
    if (messages.size() < messagesToAwait) {
      out.idle();
      return;
    }
    out.done(new Outcome(List.copyOf(log)));
  }

  /** Builds a {@link ScriptedStep}. */
  static final class Builder {
    private final List<Function<List<Event.Completion>, List<Command<?>>>> lines =
        new ArrayList<>();
    private int messagesToAwait;

    /** A line that yields {@code command}. */
    Builder then(Command<?> command) {
      lines.add(done -> List.of(command));
      return this;
    }

    /** A line that yields the commands built from the completions so far. */
    Builder then(Function<List<Event.Completion>, List<Command<?>>> line) {
      lines.add(line);
      return this;
    }

    /** After the last line, waits for {@code count} messages before ending. */
    Builder awaitMessages(int count) {
      messagesToAwait = count;
      return this;
    }

    ScriptedStep build() {
      return new ScriptedStep(List.copyOf(lines), messagesToAwait);
    }
  }
}
