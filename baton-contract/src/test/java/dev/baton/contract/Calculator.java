package dev.baton.contract;

import dev.baton.tasks.TaskName;
import java.util.concurrent.CompletableFuture;

/** The test contract: plain methods, named overloads, a failing, a blocking and a future method. */
public interface Calculator {
  int add(int a, int b);

  @TaskName("Calculator.sum2")
  long sum(long a, long b);

  @TaskName("Calculator.sum3")
  long sum(long a, long b, long c);

  String fail(String why);

  String block();

  void note(String text);

  CompletableFuture<String> later(String text);
}
