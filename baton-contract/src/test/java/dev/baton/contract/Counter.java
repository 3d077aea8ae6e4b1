package dev.baton.contract;

/** A stateful test contract: each instance counts from its own start. */
public interface Counter {
  long add(long amount);

  long total();

  String block();
}
