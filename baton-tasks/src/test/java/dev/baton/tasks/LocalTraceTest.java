package dev.baton.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trace context in local mode: chosen by the caller, carried with the task, run as child spans. */
class LocalTraceTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final RecordingObserver observer = new RecordingObserver();
  private final TaskApp app = TaskApp.builder().timeSource(time).observer(observer).build();
  private final Map<String, TraceParent> traces = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    app.close();
  }

  /** Registers {@code name}, which records its attempt's trace under its argument. */
  private void registerTraced(String name) {
    app.register(
        name,
        String.class,
        String.class,
        tag -> {
          traces.put(tag, TaskContext.current().orElseThrow().trace());
          return tag;
        });
    app.allocate(name, 1, 0);
  }

  private TraceParent traceOf(String tag) {
    return Objects.requireNonNull(traces.get(tag), tag);
  }

  @Test
  void anExplicitTraceparentIsTheParentOfTheAttemptsSpan() throws Exception {
    registerTraced("traced");
    TraceParent given =
        TraceParent.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");

    app.call("traced", TaskOptions.builder().traceparent(given).build(), "a").await(BOUND);

    TraceParent attempt = traceOf("a");
    assertThat(attempt.traceId()).isEqualTo(given.traceId());
    assertThat(attempt.parentId()).isNotEqualTo(given.parentId());
    assertThat(attempt.flags()).isZero(); // the caller's flags (not sampled) carry over
    assertThat(observer.only("sent").trace()).isEqualTo(given);
    assertThat(observer.only("started").trace()).isEqualTo(attempt);
  }

  @Test
  void aTaskPassingItsOwnOptionsToANestedCallContinuesItsTraceAsRemotely() throws Exception {
    registerTraced("inner");
    app.register(
        "outer",
        String.class,
        String.class,
        tag -> {
          TaskContext context = TaskContext.current().orElseThrow();
          traces.put(tag, context.trace());
          assertThat(context.options().traceparent())
              .as("the options a task sees carry no trace, as in remote mode")
              .isNull();
          return String.valueOf(app.call("inner", context.options(), tag + "-inner").await(BOUND));
        });
    app.allocate("outer", 1, 0);
    TraceParent given =
        TraceParent.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    Object value =
        app.call("outer", TaskOptions.builder().traceparent(given).build(), "o").await(BOUND);

    assertThat(value).isEqualTo("o-inner");
    assertThat(traceOf("o-inner").traceId()).isEqualTo(given.traceId());
    // The nested call is a child of the outer attempt, not a sibling of it under the caller.
    TraceParent nestedSent =
        observer.seen().stream()
            .filter(seen -> seen.line().equals("sent") && seen.key().name().equals("inner"))
            .findFirst()
            .orElseThrow()
            .trace();
    assertThat(nestedSent).isEqualTo(traceOf("o"));
  }

  @Test
  void aCallFromInsideATaskContinuesThatTasksTrace() throws Exception {
    registerTraced("inner");
    app.register(
        "outer",
        String.class,
        String.class,
        tag -> {
          traces.put(tag, TaskContext.current().orElseThrow().trace());
          return (String) Objects.requireNonNull(app.call("inner", tag + "-inner").await(BOUND));
        });
    app.allocate("outer", 1, 0);

    assertThat(app.call("outer", "x").await(BOUND)).isEqualTo("x-inner");

    TraceParent outer = traceOf("x");
    TraceParent inner = traceOf("x-inner");
    assertThat(inner.traceId()).isEqualTo(outer.traceId());
    assertThat(inner.parentId()).isNotEqualTo(outer.parentId());
    // The inner call was sent with the outer attempt's span as its parent.
    assertThat(observer.seen())
        .filteredOn(seen -> seen.line().equals("sent") && seen.key().name().equals("inner"))
        .singleElement()
        .satisfies(seen -> assertThat(seen.trace()).isEqualTo(outer));
  }

  @Test
  void anExplicitTraceparentWinsOverTheCallingTasksTrace() throws Exception {
    registerTraced("inner");
    TraceParent other = TraceParent.newTrace();
    app.register(
        "outer",
        String.class,
        String.class,
        tag -> {
          traces.put(tag, TaskContext.current().orElseThrow().trace());
          return (String)
              Objects.requireNonNull(
                  app.call("inner", TaskOptions.builder().traceparent(other).build(), "in")
                      .await(BOUND));
        });
    app.allocate("outer", 1, 0);

    app.call("outer", "out").await(BOUND);

    assertThat(traceOf("in").traceId())
        .isEqualTo(other.traceId())
        .isNotEqualTo(traceOf("out").traceId());
  }

  @Test
  void callsOutsideATaskStartNewTraces() throws Exception {
    registerTraced("traced");

    app.call("traced", "a").await(BOUND);
    app.call("traced", "b").await(BOUND);

    assertThat(traceOf("a").traceId()).isNotEqualTo(traceOf("b").traceId());
    assertThat(traceOf("a").sampled()).isTrue();
    assertThat(observer.seen())
        .filteredOn(seen -> seen.line().equals("sent"))
        .extracting(seen -> Objects.requireNonNull(seen.trace()).traceId())
        .containsExactly(traceOf("a").traceId(), traceOf("b").traceId());
  }

  @Test
  void theContextIsGoneOutsideTheTaskAndOneAttemptKeepsOneSpan() throws Exception {
    app.register(
        "twice",
        String.class,
        String.class,
        tag -> {
          TaskContext context = TaskContext.current().orElseThrow();
          return context.trace().equals(context.trace()) ? "same" : "different";
        });
    app.allocate("twice", 1, 0);

    Result<@Nullable Object> result = app.call("twice", "t");

    assertThat(result.await(BOUND)).isEqualTo("same");
    assertThat(TaskContext.current()).isEmpty();
  }
}
