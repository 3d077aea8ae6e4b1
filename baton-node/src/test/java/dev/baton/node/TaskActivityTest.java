package dev.baton.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dashboard.NodeSnapshot;
import dev.baton.dashboard.TaskRow;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskObserver.AttemptOutcome;
import dev.baton.tasks.TaskState;
import dev.baton.tasks.TraceParent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The recent-task table stays bounded and ordered, and its counters exact, under concurrency. */
class TaskActivityTest {

  @Test
  void manyCallsFromManyThreads_keepTheNewestCapacityRows_andExactCounts() throws Exception {
    TaskActivity activity = new TaskActivity();
    int threads = 4;
    int callsPerThread = TaskActivity.CAPACITY;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                    for (int i = 0; i < callsPerThread; i++) {
                      TaskKey key = new TaskKey("t", thread + "-" + i);
                      TraceParent trace = TraceParent.newTrace();
                      activity.sent(key, "t", trace);
                      activity.attemptStarted(key, 1, trace.child());
                      activity.attemptFinished(
                          key, 1, AttemptOutcome.SUCCEEDED, null, Duration.ofMillis(1));
                      activity.callFinished(key, TaskState.SUCCEEDED, null, Duration.ofMillis(2));
                    }
                  }));
    }
    start.countDown();
    for (Thread worker : workers) {
      assertThat(worker.join(Duration.ofSeconds(60))).isTrue();
    }

    assertThat(activity.size()).isEqualTo(TaskActivity.CAPACITY);
    assertThat(activity.counts())
        .isEqualTo(
            new NodeSnapshot.TaskCounts(
                (long) threads * callsPerThread, (long) threads * callsPerThread, 0, 0, 0));
    List<TaskRow> rows = activity.recent(Integer.MAX_VALUE);
    assertThat(rows).hasSize(TaskActivity.CAPACITY);
    assertThat(rows).extracting(TaskRow::state).containsOnly("SUCCEEDED");
    assertThat(rows).extracting(TaskRow::id).doesNotHaveDuplicates();
  }

  @Test
  void anUpdatedCall_movesToTheTop_keepingItsAttemptAndTrace() {
    TaskActivity activity = new TaskActivity();
    TaskKey first = new TaskKey("a", "1");
    TaskKey second = new TaskKey("b", "2");
    TraceParent trace = TraceParent.newTrace();
    activity.sent(first, "a", trace);
    activity.attemptStarted(first, 2, trace.child());
    activity.sent(second, "b", TraceParent.newTrace());
    assertThat(activity.recent(10)).extracting(TaskRow::id).containsExactly("2", "1");

    activity.callFinished(
        first, TaskState.FAILED, new TaskError(ErrorCode.GENERIC, "broke"), Duration.ofMillis(5));

    List<TaskRow> rows = activity.recent(10);
    assertThat(rows).extracting(TaskRow::id).containsExactly("1", "2");
    TaskRow row = rows.getFirst();
    assertThat(row.state()).isEqualTo("FAILED");
    assertThat(row.attempt()).isEqualTo(2);
    assertThat(row.traceId()).isEqualTo(trace.traceId());
    assertThat(row.errorCode()).isEqualTo("GENERIC");
    assertThat(row.millis()).isEqualTo(5);
    assertThat(activity.recent(1)).extracting(TaskRow::id).containsExactly("1");
    assertThat(activity.recent(0)).isEmpty();
  }
}
