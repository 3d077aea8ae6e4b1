package dev.baton.cli.demo;

import dev.baton.tasks.Report;
import dev.baton.tasks.Result;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskName;
import dev.baton.tasks.TaskOptions;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The demo's task part: a local-mode {@link TaskApp} (an in-process job queue) registers a lambda
 * and an interface, calls them by name and through a typed stub, shows the reports, a retried task,
 * the errors a caller gets, and a burst of calls with 1,000 in flight.
 */
final class TasksDemo {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TasksDemo() {}

  /** A value a task returns. */
  public record Invoice(String customer, long cents) {}

  /** A task contract: its methods become tasks, and a stub calls them. */
  public interface Billing {
    @TaskName("billing.invoice")
    Invoice invoice(String customer, List<Integer> itemCents);
  }

  /** The worker's implementation of the contract. */
  static final class RealBilling implements Billing {
    @Override
    public Invoice invoice(String customer, List<Integer> itemCents) {
      return new Invoice(customer, itemCents.stream().mapToLong(Integer::longValue).sum());
    }
  }

  /** Runs the demo; returns whether the burst completed every call. */
  static boolean run(PrintWriter out, int burstCalls) throws Exception {
    try (TaskApp app = TaskApp.local()) {
      app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
      app.registerAll(Billing.class, new RealBilling(), MethodHandles.lookup());
      AtomicInteger flakyAttempts = new AtomicInteger();
      app.register(
          "flaky",
          String.class,
          String.class,
          s -> {
            if (flakyAttempts.incrementAndGet() < 3) {
              throw new IllegalStateException("transient failure " + flakyAttempts.get());
            }
            return s.toUpperCase(Locale.ROOT);
          });
      app.allocate("add", 2, 0);
      app.allocate("billing.invoice", 1, 0);
      app.allocate("flaky", 1, 0);
      out.println("Tasks (local mode: an in-process job queue, objects passed in memory):");

      Result<@Nullable Object> sum =
          app.call("add", TaskOptions.builder().monitorProgress(true).build(), 1, 2);
      out.printf("  add(1, 2) -> %s, reports %s%n", sum.await(WAIT), statuses(sum));

      Billing billing = app.stub(Billing.class);
      out.printf(
          "  stub billing.invoice(\"ada\", [1250, 399]) -> %s%n",
          billing.invoice("ada", List.of(1250, 399)));

      TaskOptions retried =
          TaskOptions.builder()
              .monitorProgress(true)
              .retry(RetryPolicy.exponential(3, Duration.ofMillis(10)))
              .build();
      Result<@Nullable Object> flaky = app.call("flaky", retried, "done");
      out.printf(
          "  flaky(\"done\") -> %s after %d attempts, reports %s%n",
          flaky.await(WAIT), flakyAttempts.get(), statuses(flaky));

      out.println("  " + failure(app.call("nope", 1)));
      out.println("  " + failure(app.call("add", 1, "two")));

      return burst(out, app, burstCalls);
    }
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

  /** {@code calls} calls of add with 1,000 in flight; prints the rate (not a benchmark). */
  private static boolean burst(PrintWriter out, TaskApp app, int calls)
      throws InterruptedException {
    Semaphore window = new Semaphore(1_000);
    AtomicLong succeeded = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(calls);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      window.acquire();
      app.call("add", i, 1)
          .onSuccess(
              value -> {
                succeeded.incrementAndGet();
                window.release();
                finished.countDown();
              })
          .onFailure(
              error -> {
                failed.incrementAndGet();
                window.release();
                finished.countDown();
              });
    }
    boolean done = finished.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    double millis = (System.nanoTime() - start) / 1e6;
    out.printf(
        Locale.ROOT,
        "  burst: %,d calls of add (1,000 in flight, 2 workers) in %.1f ms: %.2f M calls/s,"
            + " %,d failed; not a benchmark, see docs/benchmarks.md%n",
        succeeded.get(),
        millis,
        succeeded.get() / millis / 1e3,
        failed.get());
    return done && succeeded.get() == calls;
  }
}
