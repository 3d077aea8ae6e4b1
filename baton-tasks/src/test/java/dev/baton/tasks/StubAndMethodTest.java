package dev.baton.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.time.ManualTimeSource;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StubAndMethodTest {

  /** A value type the contract returns. */
  public record Total(String label, long sum) {}

  /** A task contract: each method becomes a task, and a stub calls it. */
  public interface Calculator {
    int add(int a, int b);

    @TaskName("calc.sum")
    Total sum(String label, List<Integer> values);

    CompletableFuture<Map<String, Integer>> histogram(List<String> words);

    void touch(String what);
  }

  /** The worker's implementation. */
  public static final class RealCalculator implements Calculator {
    volatile String touched = "";

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public Total sum(String label, List<Integer> values) {
      return new Total(label, values.stream().mapToLong(Integer::longValue).sum());
    }

    @Override
    public CompletableFuture<Map<String, Integer>> histogram(List<String> words) {
      return CompletableFuture.completedFuture(
          words.stream()
              .collect(
                  java.util.stream.Collectors.toMap(
                      w -> w, w -> 1, Integer::sum, java.util.TreeMap::new)));
    }

    @Override
    public void touch(String what) {
      touched = what;
    }
  }

  /** An overloaded contract, which needs explicit names. */
  public interface Overloaded {
    int twice(int a);

    int twice(long a);
  }

  /** A plain object whose method becomes a task. */
  public static final class Greeter {
    public String greet(String name, int times) {
      return ("hi " + name + " ").repeat(times).trim();
    }
  }

  @Test
  void aStubCallsTheInterfaceTasksAndReturnsTypedValuesOrFutures() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      RealCalculator calculator = new RealCalculator();
      List<String> names = app.registerAll(Calculator.class, calculator, MethodHandles.lookup());
      assertThat(names)
          .containsExactlyInAnyOrder(
              "Calculator.add", "calc.sum", "Calculator.histogram", "Calculator.touch");
      for (String name : names) {
        app.allocate(name, 1, 0);
      }
      Calculator stub = app.stub(Calculator.class);

      assertThat(stub.add(1, 2)).isEqualTo(3);
      assertThat(stub.sum("s", List.of(1, 2, 3))).isEqualTo(new Total("s", 6));
      assertThat(stub.histogram(List.of("a", "b", "a")).get(10, TimeUnit.SECONDS))
          .isEqualTo(Map.of("a", 2, "b", 1));
      stub.touch("done");
      assertThat(calculator.touched).isEqualTo("done");
    }
  }

  @Test
  void aRemoteCallerUsesTheStubsTypesWithoutRegisteringTheTasks() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    try (InMemoryBroker broker = new InMemoryBroker(time);
        InMemoryBackend backend = new InMemoryBackend(time);
        TaskApp worker = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
        TaskApp caller = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
      worker.use(broker);
      worker.use(backend);
      caller.use(broker);
      caller.use(backend);
      for (String name :
          worker.registerAll(Calculator.class, new RealCalculator(), MethodHandles.lookup())) {
        worker.allocate(name, 1, 0);
      }
      Calculator stub = caller.stub(Calculator.class);

      assertThat(stub.sum("remote", List.of(5, 6))).isEqualTo(new Total("remote", 11));
      assertThat(stub.histogram(List.of("x")).get(10, TimeUnit.SECONDS)).isEqualTo(Map.of("x", 1));
    }
  }

  @Test
  void aFailingStubCallThrowsTaskFailedException() {
    try (TaskApp app = TaskApp.local()) {
      Calculator stub = app.stub(Calculator.class); // nothing registered

      assertThatThrownBy(() -> stub.add(1, 2))
          .isInstanceOfSatisfying(
              TaskFailedException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TASK));
    }
  }

  @Test
  void contractTasks_namesAndTypesEachMethodAsRegisterAllAndTheStubDo() throws Exception {
    List<ContractTask> tasks = TaskApp.contractTasks(Calculator.class);
    try (TaskApp app = TaskApp.local()) {
      List<String> registered =
          app.registerAll(Calculator.class, new RealCalculator(), MethodHandles.lookup());
      assertThat(tasks).extracting(ContractTask::taskName).containsExactlyElementsOf(registered);
    }
    assertThat(tasks)
        .extracting(task -> task.method().getName(), ContractTask::shape)
        .containsExactly(
            tuple("add", ContractTask.Shape.VALUE),
            tuple("histogram", ContractTask.Shape.FUTURE),
            tuple("touch", ContractTask.Shape.VOID),
            tuple("sum", ContractTask.Shape.VALUE));
    ContractTask histogram = tasks.get(1);
    assertThat(histogram.valueType().getTypeName())
        .isEqualTo("java.util.Map<java.lang.String, java.lang.Integer>");
    assertThat(tasks.get(2).valueType()).isEqualTo(void.class);
    assertThatThrownBy(() -> TaskApp.contractTasks(Overloaded.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void overloadedContractMethodsMustBeNamed() {
    try (TaskApp app = TaskApp.local()) {
      assertThatThrownBy(() -> app.stub(Overloaded.class))
          .isInstanceOf(TaskConfigurationException.class)
          .hasMessageContaining("twice");
    }
  }

  @Test
  void aMethodOfAnObjectBecomesATask() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      app.registerMethod("greet", new Greeter(), "greet", MethodHandles.lookup());
      app.allocate("greet", 1, 0);

      assertThat(app.call("greet", "ada", 2).await(Duration.ofSeconds(10)))
          .isEqualTo("hi ada hi ada");
    }
  }
}
