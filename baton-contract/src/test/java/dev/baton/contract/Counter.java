package dev.baton.contract;

import java.util.concurrent.CompletionStage;

/** A stateful test contract: each instance counts from its own start. */
public interface Counter {
  long add(long amount);

  long total();

  String block();

  /** The largest of the values (varargs). */
  long max(long... values);

  /** Blocks until released, ignoring interrupts. */
  String stubborn();

  /** A future that never completes, and ignores cancellation. */
  CompletionStage<String> never();
}
