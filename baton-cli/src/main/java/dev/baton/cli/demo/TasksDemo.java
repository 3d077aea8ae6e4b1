package dev.baton.cli.demo;

import dev.baton.tasks.Report;
import dev.baton.tasks.Result;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The demo's task part, on the node's local-mode {@link TaskApp} (an in-process job queue) with the
 * {@link DemoTasks} the demo extension registered: calls by name and through a typed stub, the
 * reports, a retried task, the errors a caller gets, and a burst of calls with 1,000 in flight.
 */
final class TasksDemo {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TasksDemo() {}

  /** Runs the demo, counting the burst's calls on {@code phase}; returns whether all completed. */
  static boolean run(PrintWriter out, TaskApp app, int burstCalls, ProgressBar.Phase phase)
      throws Exception {
    out.println("Tasks (local mode: an in-process job queue, objects passed in memory):");

    Result<@Nullable Object> sum =
        app.call("add", TaskOptions.builder().monitorProgress(true).build(), 1, 2);
    out.printf("  add(1, 2) -> %s, reports %s%n", sum.await(WAIT), statuses(sum));

    DemoTasks.Billing billing = app.stub(DemoTasks.Billing.class);
    out.printf(
        "  stub billing.invoice(\"ada\", [1250, 399]) -> %s%n",
        billing.invoice("ada", List.of(1250, 399)));

    TaskOptions retried =
        TaskOptions.builder()
            .monitorProgress(true)
            .retry(RetryPolicy.exponential(3, Duration.ofMillis(10)))
            .build();
    Result<@Nullable Object> flaky = app.call("flaky", retried, "done");
    @Nullable Object flakyValue = flaky.await(WAIT);
    List<String> flakyReports = statuses(flaky);
    out.printf(
        "  flaky(\"done\") -> %s after %d attempts, reports %s%n",
        flakyValue, flakyReports.stream().filter("RETRY"::equals).count() + 1, flakyReports);

    out.println("  " + failure(app.call("nope", 1)));
    out.println("  " + failure(app.call("add", 1, "two")));

    return burst(out, app, burstCalls, phase);
  }

  private static String failure(Result<@Nullable Object> result) throws InterruptedException {
    try {
      result.await(WAIT);
      return result.key() + " unexpectedly succeeded";
    } catch (TaskFailedException e) {
      TaskError error = e.error();
      return e.key() + " -> " + error;
    } catch (java.util.concurrent.TimeoutException e) {
      return result.key() + " -> no outcome within " + WAIT;
    }
  }

  private static List<String> statuses(Result<@Nullable Object> result)
      throws InterruptedException {
    List<String> seen = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    result
        .reports()
        .subscribe(
            new Flow.Subscriber<Report>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(Report report) {
                seen.add(report.status().name());
              }

              @Override
              public void onError(Throwable failure) {
                done.countDown();
              }

              @Override
              public void onComplete() {
                done.countDown();
              }
            });
    done.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    return seen;
  }

  /** {@code calls} calls of add with 1,000 in flight, counted on {@code phase}. */
  private static boolean burst(PrintWriter out, TaskApp app, int calls, ProgressBar.Phase phase)
      throws InterruptedException {
    Semaphore window = new Semaphore(1_000);
    AtomicLong succeeded = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(calls);
    for (int i = 0; i < calls; i++) {
      window.acquire();
      app.call("add", i, 1)
          .onSuccess(
              value -> {
                succeeded.incrementAndGet();
                phase.step();
                window.release();
                finished.countDown();
              })
          .onFailure(
              error -> {
                failed.incrementAndGet();
                phase.step();
                window.release();
                finished.countDown();
              });
    }
    boolean done = finished.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    out.printf(
        Locale.ROOT,
        "  burst: %,d calls of add succeeded (1,000 in flight, 2 workers), %,d failed%n",
        succeeded.get(),
        failed.get());
    return done && succeeded.get() == calls;
  }
}
