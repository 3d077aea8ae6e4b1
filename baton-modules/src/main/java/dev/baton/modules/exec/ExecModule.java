package dev.baton.modules.exec;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import dev.baton.modules.stream.StreamResource;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import dev.baton.process.Pid;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The exec module: {@link Exec.Start}, {@link Exec.ProcessWait} and {@link Exec.Kill}.
 *
 * <p><b>Design.</b> Handlers never block a scheduler thread: starting a program (fork/exec, which
 * can take milliseconds) and killing one (which walks the process tree) run on a virtual thread
 * each; waiting is a callback on the program's exit future; captured output is read by virtual
 * threads. Each started program is owned by the process that yielded {@link Exec.Start} (an {@link
 * OwnedResources} table): only that process can wait for or kill it, and when the process ends the
 * program and its descendants are killed forcibly.
 *
 * <p><b>Lifetime of an id.</b> The program's {@link ExitStatus} is kept in its entry once it exits,
 * and every {@link Exec.ProcessWait} after that returns it; no wait releases the id, because the
 * module cannot know whether a wait's completion reached the process (a wait whose deadline passed
 * is dropped by the runtime), and a released id would break the deadline, then {@link Exec.Kill},
 * then wait pattern. The entry (with its captured output) is released when the owner ends, or when
 * the module stops. A long-lived owner that starts many programs should start them from a
 * short-lived process ({@code Processes.Exec} of a coroutine that starts and waits), so each is
 * released when that process ends, or capture less.
 *
 * <p><b>Cancellation.</b> A command's context is cancelled when its yield's deadline passes or its
 * caller ends: a pending wait then stops and completes with a {@link CancellationException} (which
 * the runtime drops: nobody reads it), and a launch that finishes after its Start was cancelled
 * kills the program. Stopping the module kills every program still held and refuses later starts
 * with {@link ExecStoppedException}; a launch racing the stop finds the {@link #stopped} flag after
 * adding its program and kills it. Thread-safe.
 *
 * <p><b>Pipes.</b> With {@link #withStreams()}, a Start may pipe stdin, stdout and stderr: each
 * pipe becomes a stream of the node's {@link StreamTable}, owned by the starting process (so the
 * owner's end closes the pipes as it kills the program), read and written with the stream module's
 * commands. Nothing in this module reads a piped output.
 *
 * <p>Boot it with {@code Dispatcher.component(new ExecModule())}, which needs no other service, or
 * {@code Dispatcher.component(ExecModule.withStreams())} with {@link StreamTable#component()} for
 * pipes.
 */
public final class ExecModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "exec";

  private final OwnedResources<RunningProgram> programs = new OwnedResources<>("OS process");

  /** The OS processes still running, by handle, for {@link #osProcess}. */
  private final ConcurrentHashMap<Long, ProcessHandle> running = new ConcurrentHashMap<>();

  /**
   * Set by {@link #stop()} before it clears the table; a launch checks it after adding, so either
   * the clear or the launch itself kills the program.
   */
  private volatile boolean stopped;

  /** Whether the module declares the stream table as a dependency (pipes work). */
  private final boolean withStreams;

  /** The node's stream table, for pipes; null when booted without it. */
  private @Nullable StreamTable streams;

  /**
   * Creates the module without pipes: it needs no other service, and a Start that asks for a pipe
   * fails with {@link IllegalStateException}.
   *
   * <p>There is one way to choose: boot {@link #withStreams()} whenever the node boots {@link
   * StreamTable#component()} (any node with the stream module); this constructor is for nodes
   * without streams.
   */
  public ExecModule() {
    this(false);
  }

  private ExecModule(boolean withStreams) {
    this.withStreams = withStreams;
  }

  /**
   * Creates the module with pipes ({@link Exec.Input#pipe()}, {@link Exec.Output#pipe()}): it
   * depends on the {@value StreamTable#COMPONENT_NAME} component (boot {@link
   * StreamTable#component()} and, to read and write the pipes, the stream module), and the node
   * fails to boot, naming it, without it.
   */
  public static ExecModule withStreams() {
    return new ExecModule(true);
  }

  @Override
  public List<String> dependsOn() {
    return withStreams ? List.of(StreamTable.COMPONENT_NAME) : List.of();
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Exec.START, Exec.PROCESS_WAIT, Exec.KILL);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    if (withStreams) {
      streams = services.require(StreamTable.KEY);
    }
    registrar.register(Exec.START, Handler.forType(Exec.Start.class, this::start));
    registrar.register(Exec.PROCESS_WAIT, Handler.forType(Exec.ProcessWait.class, this::await));
    registrar.register(Exec.KILL, Handler.forType(Exec.Kill.class, this::kill));
  }

  /**
   * Kills every program still held, forcibly, with its descendants, and closes their captured
   * streams; later starts fail with {@link ExecStoppedException}. Pending waits complete when their
   * program's exit is seen.
   */
  @Override
  public void stop() {
    stopped = true;
    for (RunningProgram program : programs.clear()) {
      program.kill(true);
      program.closeStreams();
    }
  }

  /** The number of programs held for their owners (running, or exited with their status kept). */
  public int programCount() {
    return programs.size();
  }

  /**
   * The OS process behind {@code id} while it runs, whoever owns it; for tests and diagnostics (a
   * process uses its commands).
   */
  Optional<ProcessHandle> osProcess(Exec.ExecId id) {
    return Optional.ofNullable(running.get(id.value()));
  }

  private void start(CommandContext context, Exec.Start start, long tag, ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "exec.Start");
    if (stopped) {
      receiver.completeYield(tag, null, new ExecStoppedException(start.program()));
      return;
    }
    StreamTable table = streams;
    if (start.usesPipes() && table == null) {
      throw new IllegalStateException(
          "exec.Start of "
              + start.program()
              + " asks for a pipe, which needs the "
              + StreamTable.COMPONENT_NAME
              + " component: boot ExecModule.withStreams() with StreamTable.component()");
    }
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, cancelled("exec.Start of " + start.program()));
      return; // start nothing
    }
    long handle = programs.nextHandle();
    Thread.ofVirtual()
        .name("exec-start-" + pid + "-" + handle)
        .start(
            () -> {
              RunningProgram program;
              try {
                program = RunningProgram.launch(start, "exec-" + handle);
              } catch (RuntimeException failed) {
                receiver.completeYield(tag, null, failed);
                return;
              }
              running.put(handle, program.handle());
              var _ = program.exit().whenComplete((status, error) -> running.remove(handle));
              // If the owner went away meanwhile, add kills the program before it returns.
              programs.add(handle, context, program, ExecModule::killInBackground);
              Exec.ExecId id;
              try {
                // Owned like the program: if the caller (or this Start's deadline) is gone, the
                // table closes them at once.
                id = withPipes(table, context, start, handle, program);
              } catch (RuntimeException closing) {
                discard(handle, program);
                receiver.completeYield(tag, null, closing);
                return;
              }
              if (stopped) {
                discard(handle, program);
                receiver.completeYield(tag, null, new ExecStoppedException(start.program()));
              } else if (context.isCancelled()) {
                // This Start's deadline passed (or its caller ended): nobody will learn the id.
                discard(handle, program);
                receiver.completeYield(tag, null, cancelled("exec.Start of " + start.program()));
              } else {
                receiver.completeYield(tag, id, null);
              }
            });
  }

  /** The id of {@code program}, with its pipes registered as streams owned by the caller. */
  private static Exec.ExecId withPipes(
      @Nullable StreamTable table,
      CommandContext context,
      Exec.Start start,
      long handle,
      RunningProgram program) {
    if (table == null) {
      return new Exec.ExecId(handle);
    }
    Streams.StreamId stdin =
        start.stdin() instanceof Exec.Input.FromPipe
            ? table.open(context, StreamResource.writable(program.stdinPipe()))
            : null;
    Streams.StreamId stdout =
        start.stdout() instanceof Exec.Output.ToPipe
            ? table.open(context, StreamResource.readable(program.stdoutPipe()))
            : null;
    Streams.StreamId stderr =
        start.stderr() instanceof Exec.Output.ToPipe
            ? table.open(context, StreamResource.readable(program.stderrPipe()))
            : null;
    return new Exec.ExecId(handle, stdin, stdout, stderr);
  }

  private void await(
      CommandContext context, Exec.ProcessWait wait, long tag, ResultReceiver receiver) {
    long handle = wait.id().value();
    RunningProgram program = programs.get(context, handle);
    AtomicBoolean done = new AtomicBoolean();
    // Cancelled by the wait's deadline or the owner's end (which also kills the program): stop
    // waiting. The entry and its status stay for the next wait.
    Registration stopWaiting =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                receiver.completeYield(
                    tag, null, cancelled("exec.ProcessWait for OS process " + handle));
              }
            });
    var _ =
        program
            .exit()
            .whenComplete(
                (status, error) -> {
                  if (!done.compareAndSet(false, true)) {
                    return; // cancelled first
                  }
                  stopWaiting.remove();
                  if (error != null) {
                    receiver.completeYield(tag, null, error);
                  } else if (wait.checkExitCode() && !status.succeeded()) {
                    receiver.completeYield(
                        tag, null, new NonZeroExitException(program.program(), status));
                  } else {
                    receiver.completeYield(tag, status, null);
                  }
                });
  }

  private void kill(CommandContext context, Exec.Kill kill, long tag, ResultReceiver receiver) {
    RunningProgram program = programs.get(context, kill.id().value());
    Thread.ofVirtual()
        .name("exec-kill-" + kill.id().value())
        .start(() -> receiver.completeYield(tag, program.kill(kill.forcibly()), null));
  }

  /**
   * Removes and kills a program whose Start will not deliver its id (killing twice is harmless).
   */
  private void discard(long handle, RunningProgram program) {
    var _ = programs.forget(handle);
    program.kill(true);
    program.closeStreams();
  }

  private static CancellationException cancelled(String what) {
    return new CancellationException(
        what + " was cancelled: its deadline passed or its caller ended");
  }

  /** Runs on the thread that cancels the owner, which must not wait for a process-tree walk. */
  private static void killInBackground(RunningProgram program) {
    Thread.ofVirtual().name("exec-owner-gone").start(() -> program.kill(true));
  }
}
