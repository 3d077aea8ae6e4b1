package dev.baton.process;

import static java.util.Objects.requireNonNull;

import dev.baton.time.Scheduled;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A process that starts children and restarts them, one for one, as their {@link ChildSpec.Restart}
 * policy says, with exponential backoff, giving up when restarts come too fast.
 *
 * <p>Each child is linked to the supervisor (so the children die with it) and monitored by it (so
 * it hears of every end); the supervisor traps links, so a child's failure reaches it as a message
 * rather than ending it. Each child is registered under its id, so others find the current instance
 * with {@link Scheduler#whereis}. When more than {@code maxRestarts} restarts fall within {@code
 * window}, the supervisor fails with {@link SupervisorGaveUpException}, and its links take the
 * remaining children down with it. A cancel message (or the scheduler's shutdown) stops the
 * children and ends the supervisor normally.
 *
 * <p>Runs as a step process: all its state is touched only by its own steps.
 */
public final class Supervisor implements StepProcess {
  /** The topic of the messages the supervisor sends itself when a backoff has passed. */
  static final String RESTART_TOPIC = "@supervisor.restart";

  /**
   * The restart policy.
   *
   * @param maxRestarts restarts allowed within {@code window} (across all children) before giving
   *     up
   * @param window the sliding window restarts are counted in
   * @param initialBackoff the delay before a child's first restart in a window
   * @param maxBackoff the cap of the delay, which doubles with each restart of the same child
   */
  public record Policy(
      int maxRestarts, Duration window, Duration initialBackoff, Duration maxBackoff) {
    /** Three restarts in five seconds, backing off from 100 ms up to 5 s. */
    public static final Policy DEFAULT =
        new Policy(3, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5));

    /** Rejects values that would make no sense. */
    public Policy {
      if (maxRestarts < 0) {
        throw new IllegalArgumentException("maxRestarts must be at least 0, was " + maxRestarts);
      }
      for (Duration duration : List.of(window, initialBackoff, maxBackoff)) {
        if (duration.isNegative()) {
          throw new IllegalArgumentException("durations must not be negative: " + duration);
        }
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff must be at least initialBackoff");
      }
    }
  }

  private final Scheduler scheduler;
  private final Policy policy;
  private final Map<String, ChildSpec> specs = new LinkedHashMap<>();
  private final Map<Pid, ChildSpec> running = new HashMap<>();
  private final Map<String, Integer> restartsInWindow = new HashMap<>();
  private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();

  /** The backoff timer of each child waiting to be restarted; cancelled if the supervisor ends. */
  private final Map<String, Scheduled> pendingRestarts = new HashMap<>();

  private @Nullable Pid self;
  private boolean childrenStarted;

  private Supervisor(Scheduler scheduler, Policy policy, List<ChildSpec> children) {
    this.scheduler = scheduler;
    this.policy = policy;
    for (ChildSpec child : children) {
      if (specs.putIfAbsent(child.id(), child) != null) {
        throw new IllegalArgumentException("two children share the id '" + child.id() + "'");
      }
    }
  }

  /**
   * Spawns a supervisor of {@code children} on {@code scheduler}, registered under {@code name}; it
   * starts the children in its first step.
   *
   * @return the supervisor's pid
   */
  public static Pid start(
      Scheduler scheduler, String name, Policy policy, List<ChildSpec> children) {
    requireNonNull(scheduler, "scheduler");
    Supervisor supervisor =
        new Supervisor(scheduler, requireNonNull(policy, "policy"), List.copyOf(children));
    return scheduler.spawn(supervisor, null, SpawnOptions.NONE.named(name).trappingLinks());
  }

  /**
   * Returns a child spec that runs a supervisor of {@code children} under another supervisor, so
   * supervisors form a tree; it is registered under {@code id} like any child.
   */
  public static ChildSpec child(
      String id, ChildSpec.Restart restart, Policy policy, List<ChildSpec> children) {
    requireNonNull(policy, "policy");
    List<ChildSpec> copy = List.copyOf(children);
    return new ChildSpec(
        id,
        (scheduler, options) ->
            scheduler.spawn(new Supervisor(scheduler, policy, copy), null, options.trappingLinks()),
        restart);
  }

  @Override
  public void init(ProcessContext context, @Nullable Object input) {
    self = context.pid();
  }

  @Override
  public void step(List<Event> events, StepOutput out) {
    Pid me = requireNonNull(self, "init has run");
    if (!childrenStarted) {
      childrenStarted = true;
      specs.values().forEach(spec -> startChild(me, spec));
    }
    for (Event event : events) {
      if (!(event instanceof Message message)) {
        continue;
      }
      switch (message.topic()) {
        case Message.EXIT_TOPIC -> {
          if (message.payload() instanceof ExitSignal signal) {
            childEnded(me, signal);
          }
        }
        case RESTART_TOPIC -> {
          ChildSpec spec = message.payload() instanceof String id ? specs.get(id) : null;
          if (spec != null) {
            pendingRestarts.remove(spec.id());
            startChild(me, spec);
          }
        }
        case Message.CANCEL_TOPIC -> {
          out.done("stopped");
          return;
        }
        default -> {} // link-down duplicates the exit message; anything else is not for us
      }
    }
    out.idle();
  }

  /** Stops the children that are still running, however the supervisor ends. */
  @Override
  public void close() {
    pendingRestarts.values().forEach(Scheduled::cancel);
    pendingRestarts.clear();
    for (Pid child : running.keySet()) {
      try {
        scheduler.terminate(child, "supervisor stopped");
      } catch (ProcessNotFoundException alreadyEnded) {
        // ended on its own meanwhile
      }
    }
    running.clear();
  }

  /**
   * Starts one instance of {@code spec}. A start that fails (its init throws, its name is still
   * held by an instance that is ending) counts as a failed run of the child: it is retried with
   * backoff and counts toward giving up. During a shutdown nothing is restarted.
   */
  private void startChild(Pid me, ChildSpec spec) {
    try {
      Pid child =
          spec.starter()
              .start(scheduler, SpawnOptions.NONE.linkedTo(me).monitoredBy(me).named(spec.id()));
      running.put(child, spec);
    } catch (SchedulerStoppedException stopping) {
      // the node is shutting down: nothing to restart
    } catch (ProcessException | IllegalArgumentException failedStart) {
      restartLater(me, spec, failedStart);
    }
  }

  private void childEnded(Pid me, ExitSignal signal) {
    ChildSpec spec = running.remove(signal.pid());
    if (spec == null || !spec.restartsAfter(signal.result())) {
      return;
    }
    Throwable error = signal.result().error();
    restartLater(me, spec, error == null ? new IllegalStateException("ended normally") : error);
  }

  /** Schedules a restart of {@code spec} after its backoff, or gives up past the policy's limit. */
  private void restartLater(Pid me, ChildSpec spec, Throwable last) {
    long now = scheduler.timeSource().nanoTime();
    long windowStart = now - policy.window().toNanos();
    while (!restartTimes.isEmpty() && restartTimes.peekFirst() < windowStart) {
      restartTimes.removeFirst();
    }
    if (restartTimes.isEmpty()) {
      restartsInWindow.clear();
    }
    if (restartTimes.size() >= policy.maxRestarts()) {
      throw new SupervisorGaveUpException(spec.id(), policy.maxRestarts(), policy.window(), last);
    }
    restartTimes.addLast(now);
    int attempt = restartsInWindow.merge(spec.id(), 1, Integer::sum);
    Duration backoff = backoff(attempt);
    pendingRestarts.put(
        spec.id(),
        scheduler
            .timeSource()
            .schedule(
                backoff,
                // a runtime notification: never refused for a full mailbox; skipped if we are gone
                () ->
                    scheduler.deliverNotification(me, new Message(RESTART_TOPIC, spec.id(), me))));
  }

  /**
   * The delay before the {@code attempt}th restart of one child in the window: doubling, capped.
   */
  private Duration backoff(int attempt) {
    Duration delay = policy.initialBackoff();
    for (int i = 1; i < attempt && delay.compareTo(policy.maxBackoff()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : delay;
  }
}
