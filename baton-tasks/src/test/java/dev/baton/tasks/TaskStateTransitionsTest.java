package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Drives calls through every transition of {@link TaskState#next()} and checks that each one was
 * taken and that no call attempted a move outside the table.
 */
class TaskStateTransitionsTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void everyTransitionOfTheTableIsExercisedAndNoneOutsideIt() throws Exception {
    long violationsBefore = TaskStateTransitions.violations();
    try (TaskApp app = TaskApp.builder().timeSource(time).build()) {
      AtomicInteger failuresLeft = new AtomicInteger();
      CountDownLatch hold = new CountDownLatch(1);
      CountDownLatch holding = new CountDownLatch(1);
      app.register(
          "work",
          String.class,
          String.class,
          mode -> {
            switch (mode) {
              case "fail" -> throw new IllegalStateException("fails");
              case "flaky" -> {
                if (failuresLeft.getAndDecrement() > 0) {
                  throw new IllegalStateException("fails once");
                }
              }
              case "hold" -> {
                holding.countDown();
                hold.await();
              }
              default -> {}
            }
            return mode;
          });
      app.allocate("work", 4, 0);
      TaskOptions plain = TaskOptions.DEFAULTS;
      TaskOptions monitored = TaskOptions.builder().monitorProgress(true).build();
      RetryPolicy twice = new RetryPolicy(2, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1), 0);
      List<Result<@Nullable Object>> all = new ArrayList<>();

      // PENDING -> FAILED: refused before sending.
      all.add(app.call("missing", plain));
      // SENT -> SUCCEEDED, SENT -> FAILED.
      all.add(settle(app.call("work", plain, "ok")));
      all.add(settle(app.call("work", plain, "fail")));
      // SENT -> RECEIVED -> SUCCEEDED, RECEIVED -> FAILED.
      all.add(settle(app.call("work", monitored, "ok")));
      all.add(settle(app.call("work", monitored, "fail")));
      // SENT -> RETRYING -> SUCCEEDED (no progress reports).
      failuresLeft.set(1);
      Result<@Nullable Object> retried =
          app.call("work", plain.toBuilder().retry(twice).build(), "flaky");
      awaitCondition(() -> retried.state() == TaskState.RETRYING);
      time.advance(Duration.ofSeconds(1));
      all.add(settle(retried));
      // RECEIVED -> RETRYING -> RECEIVED -> DEAD.
      Result<@Nullable Object> dead =
          app.call("work", monitored.toBuilder().retry(twice).build(), "fail");
      awaitCondition(() -> dead.state() == TaskState.RETRYING);
      time.advance(Duration.ofSeconds(1));
      all.add(settle(dead));
      // SENT -> RETRYING -> DEAD.
      Result<@Nullable Object> deadQuietly =
          app.call("work", plain.toBuilder().retry(twice).build(), "fail");
      awaitCondition(() -> deadQuietly.state() == TaskState.RETRYING);
      time.advance(Duration.ofSeconds(1));
      all.add(settle(deadQuietly));
      // RETRYING -> REVOKED, RETRYING -> FAILED (the caller's timeout), RETRYING -> EXPIRED.
      Result<@Nullable Object> revokedWhileWaiting =
          app.call("work", plain.toBuilder().retry(twice).build(), "fail");
      awaitCondition(() -> revokedWhileWaiting.state() == TaskState.RETRYING);
      revokedWhileWaiting.cancel();
      Result<@Nullable Object> timedOutWhileWaiting =
          app.call(
              "work",
              plain.toBuilder()
                  .retry(new RetryPolicy(2, Duration.ofHours(2), 1.0, Duration.ofHours(2), 0))
                  .timeout(Duration.ofHours(1))
                  .build(),
              "fail");
      awaitCondition(() -> timedOutWhileWaiting.state() == TaskState.RETRYING);
      Result<@Nullable Object> expiredWhileWaiting =
          app.call(
              "work",
              plain.toBuilder()
                  .retry(new RetryPolicy(2, Duration.ofHours(3), 1.0, Duration.ofHours(3), 0))
                  .resultExpiry(Duration.ofHours(2))
                  .build(),
              "fail");
      awaitCondition(() -> expiredWhileWaiting.state() == TaskState.RETRYING);
      time.advance(Duration.ofHours(1)); // the timeout fires
      time.advance(Duration.ofHours(2)); // the retry runs after expiry
      all.add(settle(revokedWhileWaiting));
      all.add(settle(timedOutWhileWaiting));
      all.add(settle(expiredWhileWaiting));
      // RECEIVED -> REVOKED: cancelled while it runs.
      Result<@Nullable Object> running = app.call("work", monitored, "hold");
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      awaitCondition(() -> running.state() == TaskState.RECEIVED);
      running.cancel();
      hold.countDown();
      all.add(settle(running));
      // SENT -> REVOKED and SENT -> EXPIRED: still queued (a queue without workers).
      TaskOptions parked = plain.toBuilder().queue("parked").build();
      Result<@Nullable Object> revokedQueued = app.call("work", parked, "ok");
      revokedQueued.cancel();
      Result<@Nullable Object> expiredQueued =
          app.call("work", parked.toBuilder().resultExpiry(Duration.ofMinutes(1)).build(), "ok");
      time.advance(Duration.ofMinutes(2));
      app.allocateQueue("parked", 1);
      all.add(settle(revokedQueued));
      all.add(settle(expiredQueued));
      // PENDING -> REVOKED needs a broker that has not accepted the task yet.
      all.add(settle(RevocationBeforeAcceptance.call(time)));

      assertThat(all).allMatch(Result::isDone);
    }
    Map<TaskState, Set<TaskState>> seen = TaskStateTransitions.seen();
    for (TaskState from : TaskState.values()) {
      assertThat(seen.get(from)).as("transitions from %s", from).isEqualTo(from.next());
    }
    assertThat(TaskStateTransitions.violations()).isEqualTo(violationsBefore);
  }

  @Test
  void theReadmeAndTheJavadocShowTheTransitionTable() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    String javadoc =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("src/main/java/dev/baton/tasks/TaskState.java"));
    for (TaskState from : TaskState.values()) {
      if (from.isFinal()) {
        continue;
      }
      String line =
          from + " -> " + String.join(" | ", from.next().stream().map(TaskState::name).toList());
      assertThat(readme).as("README.md").contains(line);
      assertThat(javadoc).as("TaskState's Javadoc").contains(line);
    }
  }

  private static Result<@Nullable Object> settle(Result<@Nullable Object> result)
      throws InterruptedException {
    try {
      result.await(BOUND);
    } catch (TaskFailedException | java.util.concurrent.TimeoutException e) {
      // the outcome, or the bound; the caller checks isDone
    }
    return result;
  }
}
