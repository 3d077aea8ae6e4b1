package dev.baton.workflow;

import static dev.baton.testing.TestNode.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestNode;
import dev.baton.workflow.spi.JournalUnavailableException;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Values through a PostgreSQL journal: what the first run saw equals what a replay on a new node
 * sees, for nulls, records, byte arrays, enums, generic collections and typed results.
 */
class JournaledValuesTest {
  /** A record result (its package is opened to Jackson for the tests). */
  record Quote(String sku, long cents, @Nullable String note) {}

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private @Nullable PostgresSchema schema;

  @AfterEach
  void dropSchema() throws Exception {
    if (schema != null) {
      schema.close();
    }
  }

  private Object values(WorkflowScope scope, @Nullable Object input) {
    List<String> run = new ArrayList<>();
    String nothing = scope.sideEffect("null", String.class, () -> null);
    run.add(String.valueOf(nothing));
    Quote quote = scope.sideEffect("record", Quote.class, () -> new Quote("a-1", 1299L, null));
    run.add(quote.toString());
    byte[] bytes = scope.sideEffect("bytes", byte[].class, () -> new byte[] {0, 1, -1});
    run.add(Arrays.toString(bytes));
    DayOfWeek day = scope.sideEffect("enum", DayOfWeek.class, () -> DayOfWeek.FRIDAY);
    run.add(day.name());
    Map<?, ?> map = scope.sideEffect("map", Map.class, () -> Map.of("n", 5_000_000_000L));
    run.add(map + " " + Objects.requireNonNull(map.get("n")).getClass().getSimpleName());
    Object untyped = scope.call(new Workflows.SideEffect<>("object", Object.class, () -> 7L));
    run.add(untyped + " " + untyped.getClass().getSimpleName());
    Number number = scope.sideEffect("number", Number.class, () -> 3L);
    run.add(number.getClass().getSimpleName());
    List<?> list = scope.sideEffect("list", List.class, () -> List.of("x", 2));
    run.add(list.toString());
    var _ = scope.sideEffect("end", String.class, () -> "end");
    seen.add(String.join(", ", run));
    return run.size();
  }

  @Test
  void replayOnANewNodeSeesTheValuesTheFirstRunSaw() throws Exception {
    PostgresSchema created = new PostgresSchema("wf_values");
    schema = created;
    try (PostgresWorkflowJournal journal = created.journal()) {
      // The first run "crashes" right after the last entry, so it sees every value but "end".
      WorkflowModule first =
          WorkflowModule.builder()
              .journal(new CrashingJournal(journal, "w", 8))
              .register("values", this::values)
              .register("fresh", this::values)
              .build();
      try (TestNode _ = TestNode.builder().dispatcher(first).build()) {
        assertThat(first.start("fresh", "fresh", null)).succeedsWithin(BOUND).isEqualTo(8);
        try {
          first.start("values", "w", null).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
          throw new AssertionError("the run should have stopped at its last entry");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(JournalUnavailableException.class);
        }
      }
      assertThat(journal.entries("w")).hasSize(9);

      WorkflowModule second =
          WorkflowModule.builder().journal(journal).register("values", this::values).build();
      try (TestNode _ = TestNode.builder().dispatcher(second).build()) {
        assertThat(second.start("values", "w", null)).succeedsWithin(BOUND).isEqualTo(8);
      }
    }

    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).isEqualTo(seen.get(0)); // the fresh run, and the replay
    assertThat(Objects.requireNonNull(seen.get(0)))
        .isEqualTo(
            "null, Quote[sku=a-1, cents=1299, note=null], [0, 1, -1], FRIDAY,"
                + " {n=5000000000} Long, 7 Long, Long, [x, 2]");
  }
}
