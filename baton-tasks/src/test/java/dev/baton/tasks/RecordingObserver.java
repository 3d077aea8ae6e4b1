package dev.baton.tasks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TaskObserver} that records every callback, in order, as a line of text ({@link
 * #lines()}) and in full ({@link #seen()}), for tests of which callbacks come, how often and with
 * what.
 */
final class RecordingObserver implements TaskObserver {

  /**
   * One callback.
   *
   * @param line e.g. {@code "sent"}, {@code "started 1"}, {@code "finished 2 RETRYING
   *     TASK_FAILED"}, {@code "dead UNKNOWN_TASK"}, {@code "call SUCCEEDED"}
   * @param duration the attempt's run time or the call's latency, when the callback has one
   * @param trace the trace, for {@code sent} and {@code started}
   * @param queue the queue, for {@code sent} and {@code dead}
   */
  record Seen(
      String line,
      TaskKey key,
      @Nullable Duration duration,
      @Nullable TraceParent trace,
      @Nullable String queue) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  @Override
  public void sent(TaskKey key, String queue, TraceParent trace) {
    seen.add(new Seen("sent", key, null, trace, queue));
  }

  @Override
  public void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
    seen.add(new Seen("started " + attempt, key, null, trace, null));
  }

  @Override
  public void attemptFinished(
      TaskKey key, int attempt, AttemptOutcome outcome, @Nullable TaskError error, Duration took) {
    seen.add(
        new Seen(
            "finished " + attempt + " " + outcome + (error == null ? "" : " " + error.code()),
            key,
            took,
            null,
            null));
  }

  @Override
  public void deadLettered(TaskKey key, String queue, TaskError error) {
    seen.add(new Seen("dead " + error.code(), key, null, null, queue));
  }

  @Override
  public void callFinished(
      TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {
    seen.add(
        new Seen(
            "call " + state + (error == null ? "" : " " + error.code()), key, latency, null, null));
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<String> lines() {
    return seen.stream().map(Seen::line).toList();
  }

  int size() {
    return seen.size();
  }

  /** The one callback whose line starts with {@code prefix}. */
  Seen only(String prefix) {
    List<Seen> matching = seen.stream().filter(s -> s.line().startsWith(prefix)).toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected one callback starting with '" + prefix + "', saw " + lines());
    }
    return matching.getFirst();
  }
}
