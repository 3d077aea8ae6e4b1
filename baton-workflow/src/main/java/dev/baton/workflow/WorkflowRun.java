package dev.baton.workflow;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.UnknownCommandException;
import dev.baton.process.CommandFailedException;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Pid;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.SchedulerStoppedException;
import dev.baton.workflow.spi.Failure;
import dev.baton.workflow.spi.JournalConflictException;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowRecord;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One run of a workflow: the coroutine body that replays the journal and goes on, and the {@link
 * WorkflowScope} its code calls.
 *
 * <p><b>Threads.</b> Everything but {@link #outcome()} is used by the run's coroutine thread only
 * (the scope's calls check it through the coroutine's own {@code call}); {@link #outcome()} is
 * completed once, by that thread, and read by any.
 *
 * <p><b>Journal discipline.</b> The N-th call either answers from journal entry N (after checking
 * it records the same kind and name) or dispatches, appends entry N, and only then answers. Errors
 * that stop the run (divergence, journal errors, termination) are never journaled, and are kept in
 * {@link #stopped}, so workflow code that catches them cannot finish the workflow anyway.
 */
final class WorkflowRun implements WorkflowScope {
  private final WorkflowModule engine;
  private final WorkflowRecord record;
  private final Workflow body;
  private final CompletableFuture<Payload> outcome = new CompletableFuture<>();

  // Set once by the run's thread before the workflow code runs; the rest is owned by that thread.
  private volatile @Nullable Thread owner;
  private @Nullable CoroutineScope process;
  private List<JournalEntry> replay = List.of();
  private int next;
  private final Map<String, Integer> versions = new HashMap<>();
  private @Nullable Random random;
  private @Nullable RuntimeException stopped;

  WorkflowRun(WorkflowModule engine, WorkflowRecord record, Workflow body) {
    this.engine = engine;
    this.record = record;
    this.body = body;
  }

  CompletableFuture<Payload> outcome() {
    return outcome;
  }

  /** The coroutine body: replays, runs on, and finishes the workflow in the journal. */
  @Nullable Object execute(CoroutineScope scope, @Nullable Object ignored) {
    Pid pid = scope.pid();
    owner = Thread.currentThread();
    process = scope;
    engine.bind(pid, this);
    JsonCodec codec = engine.codec();
    try {
      replay = new ArrayList<>(engine.journal().entries(record.id()));
      @Nullable Object input;
      try {
        input = codec.decode(record.input(), null);
      } catch (IllegalArgumentException unreadable) {
        throw stop(
            new NonDeterminismException(
                record.id(),
                0,
                "its journaled input cannot be read back ("
                    + unreadable.getMessage()
                    + "); its class changed or is missing on this node"));
      }
      @Nullable Object value = body.run(this, input);
      throwIfStopped();
      if (next < replay.size()) {
        throw stop(
            new NonDeterminismException(
                record.id(),
                next,
                "the code returned, but the journal has " + replay.size() + " entries"));
      }
      Payload result = codec.encode(value);
      var _ = codec.decode(result, null); // a result that cannot be read back fails the workflow
      engine.journal().complete(record.id(), result);
      outcome.complete(result);
    } catch (Throwable thrown) {
      RuntimeException stop = stopped;
      if (stop != null || stopsRun(thrown)) {
        outcome.completeExceptionally(stop != null ? stop : thrown);
      } else {
        Failure failure = Failure.of(thrown);
        try {
          engine.journal().fail(record.id(), failure);
          outcome.completeExceptionally(new WorkflowFailedException(record.id(), failure));
        } catch (RuntimeException journalError) {
          outcome.completeExceptionally(journalError);
        }
      }
    } finally {
      engine.ended(pid, this);
    }
    return null;
  }

  /**
   * Whether {@code error} stops the run without finishing the workflow (never journaled): the run's
   * own trouble or this node's (a command no dispatcher of this node handles, as when a module is
   * missing or not started yet), not an outcome of the command.
   */
  static boolean stopsRun(Throwable error) {
    return error instanceof NonDeterminismException
        || error instanceof JournalConflictException
        || error instanceof JournalUnavailableException
        || error instanceof UnknownCommandException
        || error instanceof SchedulerStoppedException
        || error instanceof ProcessTerminatedException
        || error instanceof CancellationException
        || error instanceof InterruptedException;
  }

  @Override
  public String workflowId() {
    return record.id();
  }

  @Override
  public String workflowType() {
    return record.type();
  }

  @Override
  public boolean isReplaying() {
    return next < replay.size();
  }

  @Override
  public <R> R call(Command<R> command) {
    return callAs(command, null);
  }

  @Override
  public <R> R call(Command<R> command, Class<R> resultType) {
    return callAs(command, requireNonNull(resultType, "resultType"));
  }

  // unchecked: a Version's result is an Integer, which R is for a Command<Integer>.
  @SuppressWarnings("unchecked")
  private <R> R callAs(Command<R> command, @Nullable Class<R> resultType) {
    requireNonNull(command, "command");
    if (command instanceof Workflows.Version version) {
      return (R)
          Integer.valueOf(
              version(version.changeId(), version.minSupported(), version.maxSupported()));
    }
    return journaled(command, resultType);
  }

  @Override
  public int version(String changeId, int minSupported, int maxSupported) {
    Workflows.Version version = new Workflows.Version(changeId, minSupported, maxSupported);
    throwIfStopped();
    int seq = next;
    Integer decided = versions.get(changeId);
    if (decided == null) {
      if (seq < replay.size()) {
        JournalEntry entry = replay.get(seq);
        if (entry.kind().equals(Workflows.Version.class.getName())
            && entry.name().equals(changeId)) {
          decided = journaled(version, Integer.class);
        } else {
          decided = Workflows.Version.DEFAULT_VERSION; // journaled before the change existed
        }
      } else {
        decided = journaled(version, Integer.class);
      }
      versions.put(changeId, decided);
    }
    if (decided < minSupported || decided > maxSupported) {
      throw stop(
          new NonDeterminismException(
              record.id(),
              seq,
              "version "
                  + decided
                  + " of change '"
                  + changeId
                  + "' is outside what the code supports ("
                  + minSupported
                  + ".."
                  + maxSupported
                  + ")"));
    }
    return decided;
  }

  @Override
  public Instant now() {
    Clock clock = new Clock(engine);
    return Instant.parse(sideEffect("@now", String.class, clock::now));
  }

  @Override
  public Random random() {
    Random seeded = random;
    if (seeded == null) {
      long seed = sideEffect("@random-seed", Long.class, () -> new SecureRandom().nextLong());
      seeded = new Random(seed);
      random = seeded;
    }
    return seeded;
  }

  @Override
  public String newId() {
    return sideEffect("@new-id", String.class, () -> UUID.randomUUID().toString());
  }

  @Override
  public void sleep(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    Clock clock = new Clock(engine);
    Instant wake =
        Instant.parse(
            sideEffect(
                "@sleep-until", String.class, () -> clock.instant().plus(duration).toString()));
    CoroutineScope scope = requireNonNull(process, "process");
    while (true) {
      Duration left = Duration.between(clock.instant(), wake);
      if (left.isNegative() || left.isZero()) {
        return;
      }
      var _ = scope.receive(left); // a message is discarded; the loop sleeps on
    }
  }

  /** The node's clock, for {@link #now()} and {@link #sleep}. */
  private record Clock(WorkflowModule engine) {
    Instant instant() {
      return engine.time().now();
    }

    String now() {
      return engine.time().now().toString();
    }
  }

  /** Answers {@code command} from the journal, or dispatches and journals it. */
  // unchecked: the value was read back as the command's result type (or the caller's).
  @SuppressWarnings({"unchecked", "NullAway"})
  private <R> R journaled(Command<R> command, @Nullable Class<?> resultType) {
    throwIfStopped();
    CoroutineScope scope = requireNonNull(process, "process");
    int seq = next;
    Command<R> dispatched = command;
    if (command instanceof Workflows.Call<?> call && call.id() == null) {
      dispatched = (Command<R>) call.withId(record.id() + "/" + seq);
    }
    String kind = command.getClass().getName();
    String name = nameOf(dispatched);
    Class<?> type = resultType != null ? resultType : resultTypeOf(dispatched);
    JsonCodec codec = engine.codec();
    if (seq < replay.size()) {
      JournalEntry entry = replay.get(seq);
      if (!entry.kind().equals(kind) || !entry.name().equals(name)) {
        throw stop(
            new NonDeterminismException(
                record.id(),
                seq,
                "the journal has "
                    + describe(entry.kind(), entry.name())
                    + ", the code yielded "
                    + describe(kind, name)));
      }
      next = seq + 1;
      Failure failure = entry.failure();
      if (failure != null) {
        throw new WorkflowCommandException(entry.kind(), failure, null);
      }
      try {
        return (R) codec.decode(requireNonNull(entry.value()), type);
      } catch (IllegalArgumentException unreadable) {
        // It was read back when journaled, so the classes changed: a deployment problem, which
        // stops the run (the workflow stays running) rather than failing the workflow.
        throw stop(
            new NonDeterminismException(
                record.id(),
                seq,
                "its journaled value cannot be read back ("
                    + unreadable.getMessage()
                    + "); its class changed or is missing on this node"));
      }
    }
    @Nullable Object result = null;
    @Nullable Throwable error = null;
    try {
      result = scope.call(dispatched);
    } catch (RuntimeException e) {
      Throwable cause =
          e instanceof CommandFailedException && e.getCause() != null ? e.getCause() : e;
      if (stopsRun(cause)) {
        throw stop(e);
      }
      error = cause;
    }
    JournalEntry entry;
    @Nullable Object decoded = null;
    if (error == null) {
      try {
        Payload value = codec.encode(result);
        // What every replay will answer; a value that cannot be read back is the command's
        // failure now, rather than an entry that breaks every later replay.
        decoded = codec.decode(value, type);
        entry = new JournalEntry(seq, kind, name, value, null);
      } catch (IllegalArgumentException notJson) {
        error = notJson;
        entry = new JournalEntry(seq, kind, name, null, Failure.of(notJson));
      }
    } else {
      entry = new JournalEntry(seq, kind, name, null, Failure.of(error));
    }
    try {
      engine.journal().append(record.id(), entry);
    } catch (RuntimeException e) {
      throw stop(e);
    }
    replay.add(entry);
    next = seq + 1;
    Failure failure = entry.failure();
    if (failure != null) {
      throw new WorkflowCommandException(entry.kind(), failure, error);
    }
    return (R) decoded;
  }

  private static String nameOf(Command<?> command) {
    return switch (command) {
      case Workflows.SideEffect<?> effect -> effect.name();
      case Workflows.Version version -> version.changeId();
      case Workflows.Call<?> call -> call.type() + ":" + call.id();
      default -> "";
    };
  }

  private static @Nullable Class<?> resultTypeOf(Command<?> command) {
    return switch (command) {
      case Workflows.SideEffect<?> effect -> effect.type();
      case Workflows.Call<?> call -> call.resultType();
      case Workflows.Version version -> Integer.class;
      default -> null;
    };
  }

  private static String describe(String kind, String name) {
    String simple = kind.substring(kind.lastIndexOf('.') + 1);
    return name.isEmpty() ? simple : simple + " '" + name + "'";
  }

  private RuntimeException stop(RuntimeException error) {
    if (stopped == null) {
      stopped = error;
    }
    return error;
  }

  private void throwIfStopped() {
    if (!Thread.currentThread().equals(owner)) {
      throw new IllegalStateException(
          "only workflow '" + record.id() + "''s own thread may call through its scope");
    }
    RuntimeException stop = stopped;
    if (stop != null) {
      throw stop;
    }
  }
}
