package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A {@link ResultReceiver} that records every completion, for tests to await and inspect. */
final class RecordingReceiver implements ResultReceiver {
  /** One completion as the handler delivered it. */
  record Completion(long tag, @Nullable Object result, @Nullable Throwable error) {}

  private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();

  @Override
  public void completeYield(long tag, @Nullable Object result, @Nullable Throwable error) {
    completions.add(new Completion(tag, result, error));
  }

  /** Waits up to {@code timeout} for the next completion; fails the test if none arrives. */
  Completion next(Duration timeout) throws InterruptedException {
    Completion completion = completions.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    assertThat(completion).as("a completion within %s", timeout).isNotNull();
    return completion;
  }

  /** The completions delivered and not yet taken. */
  int pending() {
    return completions.size();
  }
}
