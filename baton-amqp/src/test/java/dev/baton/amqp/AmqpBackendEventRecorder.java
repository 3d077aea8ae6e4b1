package dev.baton.amqp;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** Records the events a backend emits, for the backend's tests to await, each wait bounded. */
final class AmqpBackendEventRecorder implements AdapterContext {

  /** One event, without its cause. */
  record Event(EventLevel level, EventCode code, String message, @Nullable TaskKey key) {}

  private final TimeSource time;
  private final Duration bound;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Event> arrivals = new LinkedBlockingQueue<>();

  AmqpBackendEventRecorder(TimeSource time, Duration bound) {
    this.time = time;
    this.bound = bound;
  }

  @Override
  public TimeSource timeSource() {
    return time;
  }

  @Override
  public void emit(
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause) {
    Event event = new Event(level, code, message, key);
    events.add(event);
    arrivals.add(event);
  }

  /** The events recorded so far. */
  List<Event> recorded() {
    return List.copyOf(events);
  }

  /** Forgets the events recorded so far. */
  void clear() {
    events.clear();
    arrivals.clear();
  }

  /** The first event of {@code code}, waiting for it if none came yet. */
  Event await(EventCode code, String what) throws InterruptedException {
    return awaitMatching(e -> e.code() == code, code + " event for " + what);
  }

  /** The first event of {@code code} at {@code level}, waiting for it if none came yet. */
  Event awaitLevel(EventCode code, EventLevel level, String what) throws InterruptedException {
    return awaitMatching(
        e -> e.code() == code && e.level() == level, level + " " + code + " event for " + what);
  }

  private Event awaitMatching(Predicate<Event> match, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      for (Event event : events) {
        if (match.test(event)) {
          return event;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || arrivals.poll(left, TimeUnit.NANOSECONDS) == null) {
        throw new AssertionError("no " + what + " within " + bound + "; got " + events);
      }
    }
  }
}
