package dev.baton.process;

import dev.baton.dispatch.Command;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** Step processes the scheduler tests run. */
final class TestProcesses {
  private TestProcesses() {}

  /** Waits for messages: ends with "ok" on topic "stop", fails with "told to fail" on "fail". */
  static StepProcess obedient() {
    return (events, out) -> {
      for (Event event : events) {
        if (event instanceof Message message && message.topic().equals("fail")) {
          throw new IllegalStateException("told to fail");
        }
        if (event instanceof Message message && message.topic().equals("stop")) {
          out.done("ok");
          return;
        }
      }
      out.idle();
    };
  }

  /** A process whose init throws {@code failure} (an Error or an Exception), refusing the spawn. */
  static StepProcess failingInit(Throwable failure) {
    return new StepProcess() {
      @Override
      public void init(ProcessContext context, @Nullable Object input) throws Exception {
        if (failure instanceof Error error) {
          throw error;
        }
        throw (Exception) failure;
      }

      @Override
      public void step(List<Event> events, StepOutput out) {
        throw new AssertionError("a process whose init failed never steps");
      }
    };
  }

  /** Yields an echo {@code n} times, one after another, then ends with the count. */
  static final class Counter implements StepProcess {
    private final int n;
    private int received;
    final AtomicInteger steps = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    Counter(int n) {
      this.n = n;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      steps.incrementAndGet();
      for (Event event : events) {
        if (event instanceof Event.Completion completion && completion.succeeded()) {
          received++;
        }
      }
      if (received == n) {
        out.done(received);
      } else {
        out.yield(new Harness.Echo(received));
      }
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** Yields one command, then ends with the first event it receives. */
  static final class YieldOnce implements StepProcess {
    private final Command<?> command;
    private final @Nullable Duration deadline;
    private boolean yielded;
    final List<Event> seen = new CopyOnWriteArrayList<>();

    YieldOnce(Command<?> command) {
      this(command, null);
    }

    YieldOnce(Command<?> command, @Nullable Duration deadline) {
      this.command = command;
      this.deadline = deadline;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      seen.addAll(events);
      if (!yielded) {
        yielded = true;
        if (deadline == null) {
          out.yield(command);
        } else {
          out.yield(command, deadline);
        }
        return;
      }
      if (!events.isEmpty()) {
        out.done(events.getFirst());
      } else {
        out.waitForYields();
      }
    }
  }

  /** Waits for messages and ends with the payload of the first on topic "stop". */
  static final class Inbox implements StepProcess {
    final List<Message> received = new CopyOnWriteArrayList<>();

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Message message) {
          received.add(message);
          if (message.topic().equals("stop")) {
            out.done(message.payload());
            return;
          }
        }
      }
      out.idle();
    }
  }

  /** Runs {@code steps} steps by asking to continue, then ends with its step count. */
  static final class Spinner implements StepProcess {
    private final int steps;
    private int done;

    Spinner(int steps) {
      this.steps = steps;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      done++;
      if (done == steps) {
        out.done(done);
      } else {
        out.continueRunning();
      }
    }
  }

  /** Records every event it sees and never ends on its own. */
  static final class Recorder implements StepProcess {
    final List<Event> seen = new CopyOnWriteArrayList<>();

    @Override
    public void step(List<Event> events, StepOutput out) {
      seen.addAll(events);
      out.idle();
    }
  }
}
