package dev.baton.contract;

import dev.baton.tasks.TaskName;

/**
 * The contract the Redis test binds remotely; its own simple name, so its task names (and so its
 * Redis keys) are the test's alone.
 */
public interface ContractRedisCalc {
  int add(int a, int b);

  @TaskName("ContractRedisCalc.sum2")
  long sum(long a, long b);

  @TaskName("ContractRedisCalc.sum3")
  long sum(long a, long b, long c);

  String fail(String why);

  String block();
}
