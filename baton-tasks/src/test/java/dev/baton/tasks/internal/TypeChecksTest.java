package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskSignature;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Account;
import dev.baton.tasks.internal.TestTypes.Animal;
import dev.baton.tasks.internal.TestTypes.Color;
import dev.baton.tasks.internal.TestTypes.Everything;
import dev.baton.tasks.internal.TestTypes.Holder;
import dev.baton.tasks.internal.TestTypes.Inner;
import dev.baton.tasks.internal.TestTypes.Measured;
import dev.baton.tasks.internal.TestTypes.Named;
import dev.baton.tasks.internal.TestTypes.NoDefaultConstructor;
import dev.baton.tasks.internal.TestTypes.Outer;
import dev.baton.tasks.internal.TestTypes.Page;
import dev.baton.tasks.internal.TestTypes.Point;
import dev.baton.tasks.internal.TestTypes.Tree;
import java.io.File;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TypeChecksTest {

  /** A generic class whose own fields hold its type variable. */
  public static class Box<T> {
    public @org.jspecify.annotations.Nullable T content;
  }

  /** A subclass binding its parent's type variable. */
  public static class PointBox extends Box<Point> {
    public int weight;
  }

  /** A subclass binding its parent's type variable to something unsupported. */
  public static class AnythingBox extends Box<Object> {}

  public interface Generic {
    <T> T echo(T value);
  }

  private static TaskSignature parameter(Type type) {
    return new TaskSignature("task1", List.of(type), List.of("p"), void.class);
  }

  private static void accepts(Type type) {
    assertThatCode(() -> TypeChecks.validate(parameter(type))).doesNotThrowAnyException();
    assertThatCode(() -> TypeChecks.validate(TaskSignature.of("task1", type)))
        .doesNotThrowAnyException();
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> refuses(
      Type type) {
    return assertThatThrownBy(() -> TypeChecks.validate(parameter(type)))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task task1: parameter p has type ");
  }

  @Test
  void acceptsEverySupportedType() {
    for (Type type :
        List.<Type>of(
            int.class,
            long.class,
            double.class,
            boolean.class,
            char.class,
            Integer.class,
            String.class,
            BigDecimal.class,
            BigInteger.class,
            Color.class,
            Point.class,
            Account.class,
            Everything.class,
            Tree.class,
            byte[].class,
            int[][].class,
            Point[].class,
            Instant.class,
            Duration.class,
            LocalDate.class,
            ZoneId.class,
            UUID.class,
            URI.class,
            PointBox.class,
            new TypeRef<List<Point>>() {}.type(),
            new TypeRef<Set<Color>>() {}.type(),
            new TypeRef<Collection<String>>() {}.type(),
            new TypeRef<Map<String, List<Integer>>>() {}.type(),
            new TypeRef<Map<Color, Point>>() {}.type(),
            new TypeRef<Map<Long, String>>() {}.type(),
            new TypeRef<Optional<String>>() {}.type(),
            new TypeRef<Page<Point>>() {}.type(),
            new TypeRef<Page<Page<String>>>() {}.type(),
            new TypeRef<Box<List<Point>>>() {}.type())) {
      accepts(type);
    }
  }

  @Test
  void voidIsAReturnTypeButNotAParameterType() {
    assertThatCode(() -> TypeChecks.validate(TaskSignature.of("run", void.class)))
        .doesNotThrowAnyException();
    assertThatCode(() -> TypeChecks.validate(TaskSignature.of("run", Void.class)))
        .doesNotThrowAnyException();
    refuses(void.class).hasMessageEndingWith("void is not a parameter type");
  }

  @Test
  void refusesRawObjectNamingTheParameter() {
    refuses(Object.class)
        .hasMessage(
            "task task1: parameter p has type Object, which Baton cannot carry: raw Object says"
                + " nothing about what to create; declare a concrete type");
  }

  @Test
  void refusesTheReturnTypeNamingIt() {
    assertThatThrownBy(() -> TypeChecks.validate(TaskSignature.of("make", Object.class)))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("task make: return type has type Object, which Baton cannot carry");
  }

  @Test
  void refusesWildcards() {
    refuses(new TypeRef<List<?>>() {}.type())
        .hasMessageContaining("List<?>")
        .hasMessageContaining("wildcard");
    refuses(new TypeRef<List<? extends Number>>() {}.type()).hasMessageContaining("wildcard");
  }

  @Test
  void refusesTypeVariables() throws Exception {
    Type variable = Generic.class.getMethod("echo", Object.class).getGenericReturnType();
    refuses(variable).hasMessageContaining("type variable T");
  }

  @Test
  void refusesRawGenericTypes() {
    refuses(List.class).hasMessageContaining("raw List").hasMessageContaining("List<String>");
    refuses(Map.class).hasMessageContaining("raw Map");
    refuses(Optional.class).hasMessageContaining("raw Optional");
    refuses(Page.class).hasMessageContaining("raw Page");
  }

  @Test
  void refusesInterfacesAndAbstractClasses() {
    refuses(Named.class).hasMessageContaining("Named is an interface");
    refuses(Animal.class).hasMessageContaining("Animal is an abstract class");
    refuses(Number.class).hasMessageContaining("Number is an abstract class");
    refuses(Runnable.class).hasMessageContaining("Runnable is an interface");
    refuses(new TypeRef<List<Named>>() {}.type()).hasMessageContaining("Named is an interface");
  }

  @Test
  void refusesARecordWithAnObjectComponentNamingTheComponent() {
    refuses(Holder.class)
        .hasMessage(
            "task task1: parameter p has type Holder, which Baton cannot carry: record component"
                + " Holder.anything has type Object: raw Object says nothing about what to create;"
                + " declare a concrete type");
  }

  @Test
  void namesTheInnermostComponentAtFault() {
    refuses(Outer.class).hasMessageContaining("record component Holder.anything has type Object");
    refuses(Measured.class).hasMessageContaining("record component Measured.value has type Number");
  }

  @Test
  void refusesTypeArgumentsThatAreNotSupported() {
    refuses(new TypeRef<Page<Object>>() {}.type())
        .hasMessageContaining("record component Page.items has type List<Object>");
    refuses(AnythingBox.class).hasMessageContaining("field Box.content has type Object");
  }

  @Test
  void refusesMapKeysThatJsonCannotWriteAsText() {
    refuses(new TypeRef<Map<Point, String>>() {}.type())
        .hasMessageContaining("map keys must be String, an enum or a boxed number");
  }

  @Test
  void refusesClassesItCannotCreate() {
    refuses(NoDefaultConstructor.class).hasMessageContaining("no constructor without parameters");
    refuses(Inner.class).hasMessageContaining("inner class");
  }

  @Test
  void refusesJdkClassesOutsideTheSupportedValues() {
    refuses(File.class).hasMessageContaining("java.io.File is not supported");
    refuses(new TypeRef<ArrayList<String>>() {}.type())
        .hasMessageContaining("java.util.ArrayList is not supported");
    refuses(Thread.class).hasMessageContaining("java.lang.Thread is not supported");
  }

  @Test
  void refusesGenericArrays() {
    refuses(new TypeRef<List<String>[]>() {}.type()).hasMessageContaining("generic arrays");
    refuses(Object[].class).hasMessageContaining("raw Object");
  }
}
