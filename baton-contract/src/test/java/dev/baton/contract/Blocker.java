package dev.baton.contract;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A method body that blocks until released, recording that it started and was interrupted. */
final class Blocker {
  final CountDownLatch started = new CountDownLatch(1);
  final CountDownLatch interrupted = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch finished = new CountDownLatch(1);

  String run() {
    started.countDown();
    try {
      release.await();
      return "released";
    } catch (InterruptedException e) {
      interrupted.countDown();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      finished.countDown();
    }
  }

  /** Like {@link #run()}, but an interrupt only counts down {@link #interrupted}; it waits on. */
  String runIgnoringInterrupts() {
    started.countDown();
    try {
      while (true) {
        try {
          release.await();
          return "released";
        } catch (InterruptedException e) {
          interrupted.countDown();
        }
      }
    } finally {
      finished.countDown();
    }
  }

  void awaitFinished() {
    await(finished, "the blocking method to return");
  }

  void awaitStarted() {
    await(started, "the blocking method to start");
  }

  void awaitInterrupted() {
    await(interrupted, "the blocking method to be interrupted");
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
