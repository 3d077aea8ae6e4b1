package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Point;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MethodTasksTest {

  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  public static final class Calculator {
    public int add(int a, int b) {
      return a + b;
    }

    public long total(List<Point> points) {
      return points.stream().mapToLong(p -> p.x() + p.y()).sum();
    }

    public void fail(String message) throws IOException {
      throw new IOException(message);
    }

    public static String shout(String text) {
      return text.toUpperCase(java.util.Locale.ROOT);
    }

    public String echo(Object anything) {
      return String.valueOf(anything);
    }

    @SuppressWarnings("UnusedMethod") // registered through reflection by the test
    private int secret(int x) {
      return x * 2;
    }
  }

  public static final class Overloaded {
    public int add(int a, int b) {
      return a + b;
    }

    public long add(long a, long b) {
      return a + b;
    }
  }

  public static final class Recorder {
    final AtomicReference<@Nullable Object> seen = new AtomicReference<>();

    public void record(String value) {
      seen.set(value);
    }
  }

  @Test
  void aMethodByNameBecomesATaskWithItsParameterNamesAndTypes() throws Exception {
    TaskDefinition task = MethodTasks.forMethodNamed("add", new Calculator(), "add", LOOKUP);

    assertThat(task.name()).isEqualTo("add");
    assertThat(task.signature().parameterNames()).containsExactly("a", "b");
    assertThat(task.signature().parameterTypes()).containsExactly(int.class, int.class);
    assertThat(task.signature().returnType()).isEqualTo(int.class);
    assertThat(task.function().invoke(new Object[] {2, 3})).isEqualTo(5);
  }

  @Test
  void genericParameterTypesKeepTheirTypeArguments() throws Exception {
    TaskDefinition task = MethodTasks.forMethodNamed("total", new Calculator(), "total", LOOKUP);

    assertThat(task.signature().parameterTypes())
        .containsExactly(new TypeRef<List<Point>>() {}.type());
    assertThat(task.function().invoke(new Object[] {List.of(new Point(1, 2), new Point(3, 4))}))
        .isEqualTo(10L);
  }

  @Test
  void theMethodsExceptionSurfacesAsThrownNotWrapped() {
    TaskDefinition task = MethodTasks.forMethodNamed("fail", new Calculator(), "fail", LOOKUP);

    assertThatThrownBy(() -> task.function().invoke(new Object[] {"boom"}))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("boom");
  }

  @Test
  void aVoidMethodReturnsNull() throws Exception {
    Recorder recorder = new Recorder();
    TaskDefinition task = MethodTasks.forMethodNamed("record", recorder, "record", LOOKUP);

    assertThat(task.signature().isVoid()).isTrue();
    assertThat(task.function().invoke(new Object[] {"v"})).isNull();
    assertThat(recorder.seen.get()).isEqualTo("v");
  }

  @Test
  void aStaticMethodNeedsNoTarget() throws Exception {
    Method shout = Calculator.class.getMethod("shout", String.class);

    TaskDefinition task = MethodTasks.forMethod("shout", null, shout, LOOKUP);

    assertThat(task.function().invoke(new Object[] {"hi"})).isEqualTo("HI");
  }

  @Test
  void aPrivateMethodIsReachableWithTheOwnersLookup() throws Exception {
    Method secret = Calculator.class.getDeclaredMethod("secret", int.class);

    TaskDefinition task = MethodTasks.forMethod("secret", new Calculator(), secret, LOOKUP);

    assertThat(task.function().invoke(new Object[] {21})).isEqualTo(42);
  }

  @Test
  void overloadsByNameAreRefusedNamingEachOverload() {
    assertThatThrownBy(() -> MethodTasks.forMethodNamed("add", new Overloaded(), "add", LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith(
            "task add: " + Overloaded.class.getName() + " has 2 public methods named 'add' (")
        .hasMessageContaining("add(int, int)")
        .hasMessageContaining("add(long, long)")
        .hasMessageEndingWith("give them distinct names or register the Method itself");
  }

  @Test
  void anUnknownMethodNameListsTheMethodsThereAre() {
    assertThatThrownBy(() -> MethodTasks.forMethodNamed("sum", new Calculator(), "sum", LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessage(
            "task sum: "
                + Calculator.class.getName()
                + " has no public method named 'sum'; its public methods are add, echo, fail,"
                + " shout, total");
  }

  @Test
  void aMethodWhoseTypesCannotTravelIsRefusedNamingTheParameter() {
    assertThatThrownBy(() -> MethodTasks.forMethodNamed("echo", new Calculator(), "echo", LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task echo: parameter anything has type Object");
  }

  @Test
  void aTargetOfTheWrongClassIsRefused() throws Exception {
    Method add = Calculator.class.getMethod("add", int.class, int.class);

    assertThatThrownBy(() -> MethodTasks.forMethod("add", "not a calculator", add, LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("needs an instance of " + Calculator.class.getName())
        .hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> MethodTasks.forMethod("add", null, add, LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageEndingWith("got null");
  }

  @Test
  void withoutALookupAnInaccessibleMethodFailsTellingWhatToDo() throws Exception {
    // String.isLatin1 is private, and java.lang is not open to dev.baton.tasks.
    Method isLatin1 = String.class.getDeclaredMethod("isLatin1");

    assertThatThrownBy(() -> MethodTasks.forMethod("latin", "abc", isLatin1, null))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task latin: cannot access java.lang.String.isLatin1()")
        .hasMessageContaining(
            "pass MethodHandles.lookup() from a class of module java.base when registering, or"
                + " open package java.lang to dev.baton.tasks");
  }

  @Test
  void aLookupWithoutAccessFailsTellingWhatToDo() {
    assertThatThrownBy(
            () ->
                MethodTasks.forMethodNamed(
                    "add", new Calculator(), "add", MethodHandles.publicLookup()))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith(
            "task add: cannot access " + Calculator.class.getName() + ".add(int, int)")
        .hasMessageContaining("pass MethodHandles.lookup() from a class that can access it");
  }

  @Test
  void withoutALookupAMethodOfAnOpenPackageIsReached() throws Exception {
    // The test classes live in dev.baton.tasks's own module, which Baton's lookup reaches.
    TaskDefinition task = MethodTasks.forMethodNamed("add", new Calculator(), "add", null);

    assertThat(task.function().invoke(new Object[] {1, 1})).isEqualTo(2);
  }

  @Test
  void aContractMethodCallsTheImplementationThroughTheInterface() throws Exception {
    ContractMethod add =
        ContractMethods.describe(ContractMethodsTest.Calculator.class).stream()
            .filter(m -> m.taskName().equals("Calculator.add"))
            .findFirst()
            .orElseThrow();
    ContractMethodsTest.Calculator implementation =
        new ContractMethodsTest.Calculator() {
          @Override
          public int add(int a, int b) {
            return a + b;
          }

          @Override
          public CompletableFuture<Integer> slowAdd(int a, int b) {
            return CompletableFuture.completedFuture(a + b);
          }

          @Override
          public void reset() {}
        };

    TaskDefinition task = MethodTasks.implementing(add, implementation, LOOKUP);

    assertThat(task.signature()).isEqualTo(add.signature());
    assertThat(task.function().invoke(new Object[] {4, 5})).isEqualTo(9);
  }

  @Test
  void aFutureContractMethodWaitsForTheFutureAndUnwrapsItsFailure() throws Exception {
    ContractMethod slowAdd =
        ContractMethods.describe(ContractMethodsTest.Calculator.class).stream()
            .filter(m -> m.shape() == ReturnShape.FUTURE)
            .findFirst()
            .orElseThrow();
    ContractMethodsTest.Calculator implementation =
        new ContractMethodsTest.Calculator() {
          @Override
          public int add(int a, int b) {
            return a + b;
          }

          @Override
          public CompletableFuture<Integer> slowAdd(int a, int b) {
            return a < 0
                ? CompletableFuture.failedFuture(new IllegalArgumentException("negative"))
                : CompletableFuture.supplyAsync(() -> a + b);
          }

          @Override
          public void reset() {}
        };

    TaskDefinition task = MethodTasks.implementing(slowAdd, implementation, LOOKUP);

    assertThat(task.function().invoke(new Object[] {1, 2})).isEqualTo(3);
    assertThatThrownBy(() -> task.function().invoke(new Object[] {-1, 2}))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("negative");
  }

  @Test
  void anImplementationOfAnotherInterfaceIsRefused() {
    ContractMethod add = ContractMethods.describe(ContractMethodsTest.Calculator.class).get(0);

    assertThatThrownBy(() -> MethodTasks.implementing(add, new Calculator(), LOOKUP))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining(
            "needs an instance of " + ContractMethodsTest.Calculator.class.getName());
  }
}
