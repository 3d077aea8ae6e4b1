package dev.baton.tasks.internal;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** Value types the marshalling, correction and type-check tests pass around. */
public final class TestTypes {

  private TestTypes() {}

  public enum Color {
    RED,
    GREEN,
    BLUE
  }

  public record Point(int x, int y) {}

  public record Line(Point from, Point to, String label) {}

  /** A record that validates its value in its constructor. */
  public record Positive(int value) {
    public Positive {
      if (value <= 0) {
        throw new IllegalArgumentException("value must be positive, got " + value);
      }
    }
  }

  /** Every kind of component at once, nested. */
  public record Everything(
      Instant at,
      UUID id,
      Optional<String> note,
      BigDecimal amount,
      Map<String, List<Integer>> buckets,
      List<Line> lines,
      Color color) {}

  /** A generic record, used with its type argument. */
  public record Page<T>(List<T> items, int total) {}

  /** A recursive record. */
  public record Tree(String name, List<Tree> children) {}

  /** A plain class read and written by its fields. */
  public static final class Account {
    private String owner = "";
    private long cents;
    private @Nullable List<String> tags;

    public Account() {}

    public Account(String owner, long cents, @Nullable List<String> tags) {
      this.owner = owner;
      this.cents = cents;
      this.tags = tags;
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Account that
          && owner.equals(that.owner)
          && cents == that.cents
          && Objects.equals(tags, that.tags);
    }

    @Override
    public int hashCode() {
      return Objects.hash(owner, cents, tags);
    }

    @Override
    public String toString() {
      return "Account[" + owner + ", " + cents + ", " + tags + "]";
    }
  }

  /** Refused: a raw Object component. */
  public record Holder(Object anything) {}

  /** Refused at depth: holds a record with a raw Object component. */
  public record Outer(List<Holder> holders) {}

  /** Refused: an abstract component type. */
  public record Measured(Number value) {}

  /** Refused: an interface. */
  public interface Named {
    String name();
  }

  /** Refused: an abstract class. */
  public abstract static class Animal {
    public abstract String sound();
  }

  /** Refused: no constructor without parameters. */
  public static final class NoDefaultConstructor {
    private final int value;

    public NoDefaultConstructor(int value) {
      this.value = value;
    }

    public int value() {
      return value;
    }
  }

  /** Refused: an inner (non-static) class. */
  @SuppressWarnings("ClassCanBeStatic") // inner on purpose: the type checks must refuse it
  public final class Inner {
    public int value;
  }

  /**
   * A class that asks Jackson for class-name type ids. Baton's validator denies every class name,
   * so a payload can never pick {@link Gadget} (or anything else) through it.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  public static class Tagged {
    public int value;
  }

  /** What an attacker would like a payload to instantiate: counts its constructions. */
  public static class Gadget extends Tagged {
    public static final AtomicInteger CREATED = new AtomicInteger();

    public Gadget() {
      CREATED.incrementAndGet();
    }
  }
}
