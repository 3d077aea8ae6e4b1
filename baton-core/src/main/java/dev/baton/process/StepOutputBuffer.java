package dev.baton.process;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The {@link StepOutput} a worker lends to the process it runs: one per worker thread, reset before
 * each step, so writing yields allocates nothing once its arrays have grown. Used only by its
 * worker's thread.
 */
@SuppressWarnings("NamedLikeContextualKeyword") // see StepOutput
final class StepOutputBuffer implements StepOutput {
  /** What the step asked for; {@code DEFAULT} means it wrote no status. */
  enum Status {
    DEFAULT,
    CONTINUE,
    WAIT_FOR_YIELDS,
    IDLE,
    DONE
  }

  private @Nullable ProcessCell cell;

  /** The thread running the current step; a write from any other thread is refused. */
  private @Nullable Thread owner;

  private @Nullable Command<?>[] commands = new Command<?>[4];
  private long[] tags = new long[4];
  private @Nullable Duration[] deadlines = new Duration[4];
  private int count;
  private Status status = Status.DEFAULT;
  private @Nullable Object result;

  /** Prepares the buffer for a step of {@code stepping}. */
  void reset(ProcessCell stepping) {
    cell = stepping;
    owner = Thread.currentThread();
    count = 0;
    status = Status.DEFAULT;
    result = null;
  }

  /** Forgets the step's commands and result, so the buffer keeps nothing alive between steps. */
  void clear() {
    Arrays.fill(commands, 0, count, null);
    Arrays.fill(deadlines, 0, count, null);
    count = 0;
    result = null;
    cell = null;
    owner = null;
  }

  @Override
  public long yield(Command<?> command) {
    long tag = stepping().nextTag();
    append(command, tag, null);
    return tag;
  }

  @Override
  public long yield(Command<?> command, Duration deadline) {
    requireNonNull(deadline, "deadline");
    long tag = stepping().nextTag();
    append(command, tag, deadline);
    return tag;
  }

  @Override
  public void yield(Command<?> command, long tag) {
    append(command, positive(tag), null);
  }

  @Override
  public void yield(Command<?> command, long tag, Duration deadline) {
    requireNonNull(deadline, "deadline");
    append(command, positive(tag), deadline);
  }

  @Override
  public void continueRunning() {
    setStatus(Status.CONTINUE);
  }

  @Override
  public void waitForYields() {
    setStatus(Status.WAIT_FOR_YIELDS);
  }

  @Override
  public void idle() {
    setStatus(Status.IDLE);
  }

  @Override
  public void done(@Nullable Object result) {
    setStatus(Status.DONE);
    this.result = result;
  }

  int count() {
    return count;
  }

  Command<?> command(int index) {
    return requireNonNull(commands[index]);
  }

  long tag(int index) {
    return tags[index];
  }

  @Nullable Duration deadline(int index) {
    return deadlines[index];
  }

  Status status() {
    return status;
  }

  @Nullable Object result() {
    return result;
  }

  private void setStatus(Status requested) {
    checkStepping();
    status = requested;
  }

  private void checkStepping() {
    if (cell == null || !Thread.currentThread().equals(owner)) {
      throw notStepping();
    }
  }

  private static IllegalStateException notStepping() {
    return new IllegalStateException(
        "a StepOutput is only valid during the step it was passed to, on the step's thread; do"
            + " not keep it or hand it to another thread");
  }

  private ProcessCell stepping() {
    ProcessCell current = cell;
    if (current == null || !Thread.currentThread().equals(owner)) {
      throw notStepping();
    }
    return current;
  }

  private void append(Command<?> command, long tag, @Nullable Duration deadline) {
    requireNonNull(command, "command");
    checkStepping();
    if (count == tags.length) {
      int capacity = count * 2;
      commands = Arrays.copyOf(commands, capacity);
      tags = Arrays.copyOf(tags, capacity);
      deadlines = Arrays.copyOf(deadlines, capacity);
    }
    commands[count] = command;
    tags[count] = tag;
    deadlines[count] = deadline;
    count++;
  }

  private static long positive(long tag) {
    if (tag <= 0) {
      throw new IllegalArgumentException("a tag is a positive number, not " + tag);
    }
    return tag;
  }
}
