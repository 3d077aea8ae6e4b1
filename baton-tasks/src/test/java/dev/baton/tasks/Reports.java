package dev.baton.tasks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** Collects a call's report stream for assertions, with a bound on the wait. */
final class Reports {

  private Reports() {}

  /** Every report of {@code result}, waiting up to {@code bound} for the stream to end. */
  static List<Report> of(Result<?> result, Duration bound) throws Exception {
    CompletableFuture<List<Report>> done = new CompletableFuture<>();
    List<Report> seen = new ArrayList<>();
    result
        .reports()
        .subscribe(
            new Flow.Subscriber<Report>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(Report item) {
                synchronized (seen) {
                  seen.add(item);
                }
              }

              @Override
              public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
              }

              @Override
              public void onComplete() {
                synchronized (seen) {
                  done.complete(List.copyOf(seen));
                }
              }
            });
    return done.get(bound.toNanos(), TimeUnit.NANOSECONDS);
  }

  static List<ReportStatus> statuses(List<Report> reports) {
    return reports.stream().map(Report::status).toList();
  }
}
