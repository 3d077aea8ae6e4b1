package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Point;
import java.lang.reflect.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypedFunctionsTest {

  @Test
  void classTokensDeclareTheSignatureAndTypeTheLambda() throws Exception {
    TaskDefinition add =
        TypedFunctions.of2("add", int.class, int.class, int.class, (a, b) -> a + b);

    assertThat(add.signature().parameterTypes()).containsExactly(int.class, int.class);
    assertThat(add.signature().parameterNames()).containsExactly("arg0", "arg1");
    assertThat(add.signature().returnType()).isEqualTo(int.class);
    assertThat(add.function().invoke(new Object[] {2, 3})).isEqualTo(5);
  }

  @Test
  void everyArityFromZeroToFourCallsTheLambdaWithItsArguments() throws Exception {
    assertThat(TypedFunctions.of0("zero", String.class, () -> "z").function().invoke(new Object[0]))
        .isEqualTo("z");
    assertThat(
            TypedFunctions.of1("one", String.class, Integer.class, String::length)
                .function()
                .invoke(new Object[] {"abc"}))
        .isEqualTo(3);
    assertThat(
            TypedFunctions.of3(
                    "three", long.class, long.class, long.class, long.class, (a, b, c) -> a + b + c)
                .function()
                .invoke(new Object[] {1L, 2L, 3L}))
        .isEqualTo(6L);
    assertThat(
            TypedFunctions.of4(
                    "four",
                    String.class,
                    String.class,
                    String.class,
                    String.class,
                    String.class,
                    (a, b, c, d) -> a + b + c + d)
                .function()
                .invoke(new Object[] {"a", "b", "c", "d"}))
        .isEqualTo("abcd");
  }

  @Test
  void theLambdaReceivesTheArgumentsThemselves() throws Exception {
    Point point = new Point(1, 2);
    TaskDefinition identity = TypedFunctions.of1("same", Point.class, Point.class, p -> p);

    assertThat(identity.function().invoke(new Object[] {point})).isSameAs(point);
  }

  @Test
  void genericTypesAreDeclaredWithTypeTokens() throws Exception {
    Type points = new TypeRef<List<Point>>() {}.type();
    TaskDefinition count =
        TypedFunctions.<List<Point>, Integer>of1("count", points, int.class, List::size);

    assertThat(count.signature().parameterTypes()).containsExactly(points);
    assertThat(count.function().invoke(new Object[] {List.of(new Point(0, 0))})).isEqualTo(1);
  }

  @Test
  void unsupportedTypesAreRefusedAtOnce() {
    assertThatThrownBy(() -> TypedFunctions.of1("bad", Object.class, int.class, o -> 1))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task bad: parameter arg0 has type Object");
  }
}
