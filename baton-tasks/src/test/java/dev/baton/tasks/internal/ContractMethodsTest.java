package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskName;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Point;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ContractMethodsTest {

  public interface Calculator {
    int add(int a, int b);

    CompletableFuture<Integer> slowAdd(int a, int b);

    void reset();

    default int twice(int a) {
      return add(a, a);
    }

    static int zero() {
      return 0;
    }

    @Override
    String toString();
  }

  public interface Geometry {
    @TaskName("geometry.length")
    double length(Point from, Point to);

    CompletionStage<List<Point>> corners(int size);

    CompletableFuture<Void> clear();
  }

  public interface Overloads {
    int add(int a, int b);

    long add(long a, long b);
  }

  public interface NamedOverloads {
    @TaskName("add.int")
    int add(int a, int b);

    @TaskName("add.long")
    long add(long a, long b);
  }

  public interface Clash {
    @TaskName("same")
    int one();

    @TaskName("same")
    int two();
  }

  public interface RawFuture {
    @SuppressWarnings("rawtypes")
    CompletableFuture compute();
  }

  public interface PlainFuture {
    Future<Integer> compute();
  }

  public interface Blank {
    @TaskName(" ")
    int compute();
  }

  public interface Unsupported {
    int size(Object anything);
  }

  public interface Empty {
    default int nothing() {
      return 0;
    }
  }

  public interface Base {
    int base(int x);
  }

  public interface Derived extends Base {
    int derived(int x);
  }

  public abstract static class NotAnInterface {
    public abstract int compute();
  }

  @Test
  void everyAbstractMethodBecomesATaskNamedAfterTheInterface() {
    List<ContractMethod> methods = ContractMethods.describe(Calculator.class);

    assertThat(methods)
        .extracting(ContractMethod::taskName)
        .containsExactly("Calculator.add", "Calculator.reset", "Calculator.slowAdd");
  }

  @Test
  void defaultStaticAndObjectMethodsAreNotTasks() {
    assertThat(ContractMethods.describe(Calculator.class))
        .extracting(m -> m.method().getName())
        .doesNotContain("twice", "zero", "toString");
  }

  @Test
  void theSignatureHasTheMethodsParameterNamesAndTypes() {
    ContractMethod add = ContractMethods.describe(Calculator.class).get(0);

    assertThat(add.shape()).isEqualTo(ReturnShape.VALUE);
    assertThat(add.signature().name()).isEqualTo("Calculator.add");
    assertThat(add.signature().parameterNames()).containsExactly("a", "b");
    assertThat(add.signature().parameterTypes()).containsExactly(int.class, int.class);
    assertThat(add.signature().returnType()).isEqualTo(int.class);
  }

  @Test
  void aFutureMethodIsATaskReturningWhatTheFutureCompletesWith() {
    List<ContractMethod> methods = ContractMethods.describe(Geometry.class);

    ContractMethod slowAdd =
        ContractMethods.describe(Calculator.class).stream()
            .filter(m -> m.taskName().equals("Calculator.slowAdd"))
            .findFirst()
            .orElseThrow();
    assertThat(slowAdd.shape()).isEqualTo(ReturnShape.FUTURE);
    assertThat(slowAdd.signature().returnType()).isEqualTo(Integer.class);

    ContractMethod corners =
        methods.stream()
            .filter(m -> m.taskName().equals("Geometry.corners"))
            .findFirst()
            .orElseThrow();
    assertThat(corners.shape()).isEqualTo(ReturnShape.FUTURE);
    assertThat(corners.signature().returnType()).isEqualTo(new TypeRef<List<Point>>() {}.type());

    ContractMethod clear =
        methods.stream()
            .filter(m -> m.taskName().equals("Geometry.clear"))
            .findFirst()
            .orElseThrow();
    assertThat(clear.shape()).isEqualTo(ReturnShape.FUTURE);
    assertThat(clear.signature().isVoid()).isTrue();
  }

  @Test
  void aVoidMethodIsAVoidTask() {
    ContractMethod reset =
        ContractMethods.describe(Calculator.class).stream()
            .filter(m -> m.taskName().equals("Calculator.reset"))
            .findFirst()
            .orElseThrow();

    assertThat(reset.shape()).isEqualTo(ReturnShape.VOID);
    assertThat(reset.signature().returnType()).isEqualTo(void.class);
  }

  @Test
  void taskNameOverridesTheDefaultName() {
    assertThat(ContractMethods.describe(Geometry.class))
        .extracting(ContractMethod::taskName)
        .containsExactly("Geometry.clear", "Geometry.corners", "geometry.length");
  }

  @Test
  void overloadsWithoutTaskNamesAreRefusedNamingTheOverloads() {
    assertThatThrownBy(() -> ContractMethods.describe(Overloads.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("interface " + Overloads.class.getName() + " overloads 'add' (")
        .hasMessageContaining("add(int, int)")
        .hasMessageContaining("add(long, long)")
        .hasMessageContaining("@TaskName");
  }

  @Test
  void overloadsWithTaskNamesAreSeparateTasks() {
    assertThat(ContractMethods.describe(NamedOverloads.class))
        .extracting(ContractMethod::taskName)
        .containsExactly("add.int", "add.long");
  }

  @Test
  void twoMethodsWithOneTaskNameAreRefused() {
    assertThatThrownBy(() -> ContractMethods.describe(Clash.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("both become the task 'same'");
  }

  @Test
  void aBlankTaskNameIsRefused() {
    assertThatThrownBy(() -> ContractMethods.describe(Blank.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("@TaskName on compute() is blank");
  }

  @Test
  void aRawFutureIsRefused() {
    assertThatThrownBy(() -> ContractMethods.describe(RawFuture.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("returns a raw CompletableFuture");
  }

  @Test
  void otherFutureTypesAreRefused() {
    assertThatThrownBy(() -> ContractMethods.describe(PlainFuture.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("returns Future<Integer>");
  }

  @Test
  void unsupportedParameterTypesAreRefusedNamingTheTaskAndParameter() {
    assertThatThrownBy(() -> ContractMethods.describe(Unsupported.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task Unsupported.size: parameter anything has type Object");
  }

  @Test
  void inheritedMethodsAreTasksNamedAfterTheInterfaceGiven() {
    assertThat(ContractMethods.describe(Derived.class))
        .extracting(ContractMethod::taskName)
        .containsExactly("Derived.base", "Derived.derived");
  }

  @Test
  void classesAndInterfacesWithoutTasksAreRefused() {
    assertThatThrownBy(() -> ContractMethods.describe(NotAnInterface.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("is not an interface");
    assertThatThrownBy(() -> ContractMethods.describe(TaskName.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("is not an interface");
    assertThatThrownBy(() -> ContractMethods.describe(Empty.class))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("has no abstract methods");
  }
}
