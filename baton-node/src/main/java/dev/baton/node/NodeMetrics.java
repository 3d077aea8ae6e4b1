package dev.baton.node;

import dev.baton.boot.Component;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.DispatchInterceptor;
import dev.baton.dispatch.Registry;
import dev.baton.process.ProcessInfo;
import dev.baton.process.ProcessState;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskObserver.AttemptOutcome;
import dev.baton.tasks.TaskState;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.QueueStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The node's Micrometer metrics (names in docs/node.md), kept in a Prometheus registry.
 *
 * <p>Design: dispatch is the hot path, so its meters are built once, when the node starts, from the
 * registry's reservations (one counter and timer per module), into an array indexed by command id
 * that the interceptor reads without a map lookup; commands dispatched before that (while
 * components start) are not counted. The count is exact and cheap (a {@link LongAdder} that the
 * registry reads at scrape time). The latency is sampled: only dispatches whose tag is a multiple
 * of {@link #LATENCY_SAMPLE_EVERY} are timed, because timing every one (two clock reads, a wrapping
 * receiver and the timer's own bookkeeping) made a dispatch about 2.4 times slower in the demo's
 * burst. Tags increase by one per yield in every process, so the sample is spread over processes
 * and time; the timer's count is therefore about 1/64 of the commands. Task meters are per task
 * name, created on first use (a concurrent map lookup per task event); the caller-side count of
 * finished calls is one counter per task, final state and error code, also made on first use.
 * Scheduler gauges read the scheduler when scraped; queue depths are refreshed from the broker's
 * inspection at each scrape.
 */
final class NodeMetrics implements TaskActivity.Meters {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final String node;

  /** Dispatch meters by command id; null until the node starts. */
  private volatile DispatchMeters @Nullable [] byId;

  /** Dispatch meters by module, in id order; filled with {@link #byId}. */
  private volatile Map<String, DispatchMeters> byModule = Map.of();

  private final Map<String, TaskMeters> tasks = new ConcurrentHashMap<>();
  private final MultiGauge queueDepth;
  private volatile @Nullable TaskApp app;
  private volatile @Nullable Scheduler scheduler;

  /** Gauge values by state, refreshed at each scrape; the map is filled once, at start. */
  private final Map<ProcessState, AtomicLong> processesByState = new ConcurrentHashMap<>();

  NodeMetrics(String node) {
    this.node = node;
    this.queueDepth =
        MultiGauge.builder("baton.tasks.queue.depth")
            .description("tasks in a broker queue, by kind: ready, delayed, unacked, dead")
            .register(registry);
  }

  /** One dispatch in this many (by tag) is timed; a power of two. */
  static final int LATENCY_SAMPLE_EVERY = 64;

  /** One module's dispatch meters: an exact count, and a timer fed by sampled dispatches. */
  record DispatchMeters(LongAdder commands, Timer latency) {}

  /** One task name's meters. */
  record TaskMeters(
      Counter sent,
      Counter succeeded,
      Counter failed,
      Counter retried,
      Counter deadLettered,
      Timer latency,
      Timer run,
      Map<String, Counter> calls) {}

  /**
   * The component that adds the dispatch interceptor while the node loads, and builds the meters
   * and gauges when it starts.
   */
  Component component(@Nullable TaskApp app, TaskActivity activity) {
    this.app = app;
    activity.meters(this);
    return Component.named(Node.METRICS_COMPONENT)
        .dependsOn(Registry.COMPONENT_NAME, Scheduler.COMPONENT_NAME)
        .onLoad(
            context -> {
              context.require(Registry.KEY).addInterceptor(interceptor());
              return context;
            })
        .onStart(
            context -> {
              build(context.require(Registry.KEY));
              scheduler(context.require(Scheduler.KEY));
            })
        .onStop(context -> registry.close())
        .build();
  }

  private DispatchInterceptor interceptor() {
    return (context, command, tag, receiver, next) -> {
      DispatchMeters[] table = byId;
      DispatchMeters meters = table == null ? null : table[command.commandId().value()];
      if (meters == null) {
        next.handle(context, command, tag, receiver);
        return;
      }
      meters.commands().increment();
      if ((tag & (LATENCY_SAMPLE_EVERY - 1)) != 0) {
        next.handle(context, command, tag, receiver);
        return;
      }
      long started = System.nanoTime();
      next.handle(
          context,
          command,
          tag,
          (completed, result, error) -> {
            meters.latency().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            receiver.completeYield(completed, result, error);
          });
    };
  }

  private void build(Registry commands) {
    DispatchMeters[] table = new DispatchMeters[CommandId.MAX_VALUE + 1];
    Map<String, DispatchMeters> modules = new LinkedHashMap<>();
    commands
        .reservations()
        .snapshot()
        .forEach(
            (id, module) ->
                table[id.value()] =
                    modules.computeIfAbsent(
                        module,
                        name -> {
                          LongAdder count = new LongAdder();
                          FunctionCounter.builder("baton.dispatch.commands", count, LongAdder::sum)
                              .description("commands dispatched, by the module handling them")
                              .tag("module", name)
                              .register(registry);
                          return new DispatchMeters(
                              count,
                              Timer.builder("baton.dispatch.latency")
                                  .description(
                                      "from dispatch to the command's completion, timed for one"
                                          + " dispatch in "
                                          + LATENCY_SAMPLE_EVERY)
                                  .tag("module", name)
                                  .register(registry));
                        }));
    byModule = Map.copyOf(modules);
    byId = table;
  }

  private void scheduler(Scheduler scheduler) {
    this.scheduler = scheduler;
    Gauge.builder("baton.scheduler.ready", scheduler, s -> s.stats().queued())
        .description("process steps waiting for a scheduler worker")
        .register(registry);
    for (ProcessState state : ProcessState.values()) {
      if (state == ProcessState.COMPLETE) {
        continue;
      }
      AtomicLong count = new AtomicLong();
      processesByState.put(state, count);
      Gauge.builder("baton.scheduler.processes", count, AtomicLong::get)
          .description("live processes by state, counted once per scrape")
          .tag("state", state.name())
          .register(registry);
    }
  }

  /** Counts live processes by state in one pass over the scheduler's table, for the gauges. */
  private void refreshProcesses() {
    Scheduler current = scheduler;
    if (current == null) {
      return;
    }
    Map<ProcessState, Long> counts = new EnumMap<>(ProcessState.class);
    for (ProcessInfo info : current.processes()) {
      counts.merge(info.state(), 1L, Long::sum);
    }
    processesByState.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0L)));
  }

  /** Live processes per state name, for the snapshot. */
  static Map<String, Integer> byState(List<ProcessInfo> processes) {
    Map<ProcessState, Integer> counts = new EnumMap<>(ProcessState.class);
    for (ProcessInfo info : processes) {
      counts.merge(info.state(), 1, Integer::sum);
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    counts.forEach((state, count) -> out.put(state.name(), count));
    return out;
  }

  /** Commands dispatched per module since start (modules with none absent). */
  Map<String, Long> commandsByModule() {
    Map<String, Long> out = new LinkedHashMap<>();
    byModule.forEach(
        (module, meters) -> {
          long count = meters.commands().sum();
          if (count > 0) {
            out.put(module, count);
          }
        });
    return out;
  }

  /** The metrics in Prometheus's text format, queue depths refreshed first. */
  String scrape() {
    refreshQueues();
    refreshProcesses();
    return registry.scrape();
  }

  private void refreshQueues() {
    TaskApp current = app;
    if (current == null) {
      return;
    }
    Optional<BrokerInspection> inspection = current.inspection();
    if (inspection.isEmpty()) {
      return;
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (QueueStats queue : inspection.get().queues()) {
      rows.add(MultiGauge.Row.of(Tags.of("queue", queue.queue(), "kind", "ready"), queue.ready()));
      rows.add(
          MultiGauge.Row.of(Tags.of("queue", queue.queue(), "kind", "delayed"), queue.delayed()));
      rows.add(
          MultiGauge.Row.of(Tags.of("queue", queue.queue(), "kind", "unacked"), queue.unacked()));
      rows.add(
          MultiGauge.Row.of(Tags.of("queue", queue.queue(), "kind", "dead"), queue.deadLetters()));
    }
    queueDepth.register(rows, true);
  }

  /** The registry, for tests. */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  String node() {
    return node;
  }

  private TaskMeters task(String name) {
    TaskMeters meters = tasks.get(name);
    return meters != null ? meters : tasks.computeIfAbsent(name, this::newTask);
  }

  private TaskMeters newTask(String name) {
    return new TaskMeters(
        Counter.builder("baton.tasks.sent").tag("task", name).register(registry),
        Counter.builder("baton.tasks.succeeded").tag("task", name).register(registry),
        Counter.builder("baton.tasks.failed").tag("task", name).register(registry),
        Counter.builder("baton.tasks.retried").tag("task", name).register(registry),
        Counter.builder("baton.tasks.dead.lettered").tag("task", name).register(registry),
        Timer.builder("baton.tasks.latency")
            .description("caller side: from the call to its outcome")
            .tag("task", name)
            .register(registry),
        Timer.builder("baton.tasks.run")
            .description("worker side: how long an attempt ran")
            .tag("task", name)
            .register(registry),
        new ConcurrentHashMap<>());
  }

  @Override
  public void sent(String task) {
    task(task).sent().increment();
  }

  @Override
  public void attempt(String task, AttemptOutcome outcome, Duration took) {
    TaskMeters meters = task(task);
    meters.run().record(took);
    switch (outcome) {
      case SUCCEEDED -> meters.succeeded().increment();
      case RETRYING -> meters.retried().increment();
      case FAILED -> meters.failed().increment();
      case DEAD_LETTERED -> {} // counted by deadLettered
    }
  }

  @Override
  public void deadLettered(String task) {
    task(task).deadLettered().increment();
  }

  @Override
  public void callFinished(
      String task, TaskState state, @Nullable TaskError error, Duration latency) {
    TaskMeters meters = task(task);
    meters.latency().record(latency);
    String code = error == null ? "none" : error.code().name();
    String key = state.name() + "/" + code;
    Counter calls = meters.calls().get(key);
    if (calls == null) {
      calls =
          meters
              .calls()
              .computeIfAbsent(
                  key,
                  k ->
                      Counter.builder("baton.tasks.calls")
                          .description(
                              "caller side: calls this node made that ended, by final state and"
                                  + " error code (refusals before sending included)")
                          .tags("task", task, "state", state.name(), "error", code)
                          .register(registry));
    }
    calls.increment();
  }
}
