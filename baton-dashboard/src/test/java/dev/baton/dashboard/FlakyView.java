package dev.baton.dashboard;

import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.WorkerHeartbeat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A view that throws while {@code broken}, else answers as {@code delegate}. */
final class FlakyView implements NodeView {
  private final NodeView delegate;
  private final AtomicBoolean broken;
  final AtomicInteger failures = new AtomicInteger();

  FlakyView(NodeView delegate, AtomicBoolean broken) {
    this.delegate = delegate;
    this.broken = broken;
  }

  /** Throws while broken: an exception, and every other time an error (a missing class). */
  private void check() {
    if (broken.get()) {
      if (failures.incrementAndGet() % 2 == 0) {
        throw new NoClassDefFoundError("the broker is down: its client's classes are missing");
      }
      throw new IllegalStateException("the broker is down");
    }
  }

  @Override
  public NodeSnapshot snapshot() {
    check();
    return delegate.snapshot();
  }

  @Override
  public List<ProcessInfo> processes(int limit) {
    check();
    return delegate.processes(limit);
  }

  @Override
  public boolean terminate(Pid pid) {
    check();
    return delegate.terminate(pid);
  }

  @Override
  public List<TaskRow> recentTasks(int limit) {
    check();
    return delegate.recentTasks(limit);
  }

  @Override
  public List<QueueStats> queues() {
    check();
    return delegate.queues();
  }

  @Override
  public List<WorkerHeartbeat> workers() {
    check();
    return delegate.workers();
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    check();
    return delegate.deadLetters(limit);
  }

  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    check();
    return delegate.retryDeadLetter(deadLetterId);
  }

  @Override
  public Optional<String> prometheusScrape() {
    check();
    return delegate.prometheusScrape();
  }
}
