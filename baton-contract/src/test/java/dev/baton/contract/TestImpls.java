package dev.baton.contract;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Implementations of the test contracts. */
final class TestImpls {
  private TestImpls() {}

  /** A {@link Calculator} whose {@code block} waits on {@code blocker}. */
  static final class Calc implements Calculator {
    final Blocker blocker;
    final List<String> notes = new CopyOnWriteArrayList<>();

    Calc(Blocker blocker) {
      this.blocker = blocker;
    }

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public long sum(long a, long b) {
      return a + b;
    }

    @Override
    public long sum(long a, long b, long c) {
      return a + b + c;
    }

    @Override
    public String fail(String why) {
      throw new IllegalStateException("kaput: " + why);
    }

    @Override
    public String block() {
      return blocker.run();
    }

    @Override
    public void note(String text) {
      notes.add(text);
    }

    @Override
    public CompletableFuture<String> later(String text) {
      return CompletableFuture.supplyAsync(() -> "later " + text);
    }
  }

  /** A {@link Counter} with its own total, closeable. */
  static final class CountingInstance implements Counter, AutoCloseable {
    final AtomicLong total;
    final AtomicBoolean closed = new AtomicBoolean();
    final Blocker blocker;

    CountingInstance(long start, Blocker blocker) {
      this.total = new AtomicLong(start);
      this.blocker = blocker;
    }

    @Override
    public long add(long amount) {
      return total.addAndGet(amount);
    }

    @Override
    public long total() {
      return total.get();
    }

    /** Calls running on this instance now. */
    final AtomicInteger inCall = new AtomicInteger();

    /** Whether {@link #close} ran while a call was running on the instance. */
    final AtomicBoolean closedDuringCall = new AtomicBoolean();

    @Override
    public String block() {
      inCall.incrementAndGet();
      try {
        return blocker.run();
      } finally {
        inCall.decrementAndGet();
      }
    }

    @Override
    public long max(long... values) {
      return java.util.Arrays.stream(values).max().orElseThrow();
    }

    @Override
    public String stubborn() {
      inCall.incrementAndGet();
      try {
        return blocker.runIgnoringInterrupts();
      } finally {
        inCall.decrementAndGet();
      }
    }

    @Override
    public CompletionStage<String> never() {
      return new CompletableFuture<String>().minimalCompletionStage();
    }

    @Override
    public void close() {
      closedDuringCall.set(inCall.get() > 0);
      closed.set(true);
    }
  }
}
