package dev.baton.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testing.TestNode;
import java.lang.reflect.Proxy;
import java.sql.Statement;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A command's cancellation never reaches a statement the command has let go of. */
class RunningTest {
  private final AtomicInteger cancels = new AtomicInteger();
  private final CountDownLatch cancelStarted = new CountDownLatch(1);
  private final CountDownLatch cancelMayReturn = new CountDownLatch(1);

  /** A statement whose cancel() counts itself and blocks until the test lets it return. */
  private final Statement statement =
      (Statement)
          Proxy.newProxyInstance(
              RunningTest.class.getClassLoader(),
              new Class<?>[] {Statement.class},
              (proxy, method, args) -> {
                if (method.getName().equals("cancel")) {
                  cancels.incrementAndGet();
                  cancelStarted.countDown();
                  await(cancelMayReturn);
                }
                return null;
              });

  @Test
  void aCancelAfterTheStatementReturned_sendsNothing() throws Exception {
    Running work = new Running(task -> Thread.ofPlatform().start(task));
    assertThat(work.watching(statement, () -> "done")).isEqualTo("done");

    work.run();

    assertThatThrownBy(work::throwIfCancelled).isInstanceOf(CancellationException.class);
    assertThat(cancels).hasValue(0);
  }

  @Test
  void theWorkerKeepsTheStatement_untilACancelInFlightReturns_andNoCancelFollows()
      throws Exception {
    CompletableFuture<Thread> canceller = new CompletableFuture<>();
    Running work = new Running(task -> canceller.complete(Thread.ofPlatform().start(task)));
    CountDownLatch statementMayReturn = new CountDownLatch(1);
    CountDownLatch inCall = new CountDownLatch(1);
    CompletableFuture<String> worker = new CompletableFuture<>();
    Thread workerThread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    worker.complete(
                        work.watching(
                            statement,
                            () -> {
                              inCall.countDown();
                              await(statementMayReturn);
                              return "returned";
                            }));
                  } catch (Exception | AssertionError e) {
                    worker.completeExceptionally(e);
                  }
                });

    assertThat(inCall.await(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    work.run(); // the caller went away: a cancel is sent 25 ms after the hand-over
    assertThat(cancelStarted.await(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    statementMayReturn.countDown(); // the statement finishes while its cancel is in flight

    // The worker cannot let go of the statement (and so of its pooled connection) yet: it is
    // blocked until the cancel returns.
    TestNode.awaitCondition(
        "the worker to block on the cancel", () -> workerThread.getState() == Thread.State.BLOCKED);
    assertThat(worker).isNotDone();
    cancelMayReturn.countDown();
    assertThat(worker.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("returned");

    // The canceller's next round finds the statement gone, sends nothing more, and ends.
    Thread cancelling = canceller.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(cancelling.join(TestNode.BOUND)).isTrue();
    assertThat(cancels).hasValue(1);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
