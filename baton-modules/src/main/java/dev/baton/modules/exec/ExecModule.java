package dev.baton.modules.exec;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.internal.Callers;
import dev.baton.modules.internal.OwnedResources;
import dev.baton.process.Pid;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exec module: {@link Exec.Start}, {@link Exec.ProcessWait} and {@link Exec.Kill}.
 *
 * <p><b>Design.</b> Handlers never block a scheduler thread: starting a program (fork/exec, which
 * can take milliseconds) and killing one (which walks the process tree) run on a virtual thread
 * each; waiting is a callback on {@link Process#onExit()}; captured output is read by virtual
 * threads. Each started program is owned by the process that yielded {@link Exec.Start} (an {@link
 * OwnedResources} table): only that process can wait for or kill it, and when the process ends the
 * program and its descendants are killed forcibly, which also ends any wait still pending (its
 * completion is skipped, since nobody reads it). The {@link Exec.ProcessWait} that reports the exit
 * releases the handle; a program never waited for is held until its owner ends. Stopping the module
 * kills every program still running. Thread-safe.
 *
 * <p>Boot it with {@code Dispatcher.component(new ExecModule())}; it needs no other service.
 */
public final class ExecModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "exec";

  private final OwnedResources<RunningProgram> programs = new OwnedResources<>("OS process");

  /** The OS processes still running, by handle, for {@link #osProcess}. */
  private final ConcurrentHashMap<Long, ProcessHandle> running = new ConcurrentHashMap<>();

  /** Creates the module. */
  public ExecModule() {}

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
    registrar.register(Exec.START, Handler.forType(Exec.Start.class, this::start));
    registrar.register(Exec.PROCESS_WAIT, Handler.forType(Exec.ProcessWait.class, this::await));
    registrar.register(Exec.KILL, Handler.forType(Exec.Kill.class, this::kill));
  }

  /** Kills every program still running, forcibly, with its descendants. */
  @Override
  public void stop() {
    for (RunningProgram program : programs.clear()) {
      program.kill(true);
    }
  }

  /** The number of programs held for their owners (running, or exited and not yet waited for). */
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
    if (context.isCancelled()) {
      return; // the caller is gone: start nothing
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
              // If the caller went away meanwhile, add kills the program before it returns.
              programs.add(handle, context, program, ExecModule::killInBackground);
              receiver.completeYield(tag, new Exec.ExecId(handle), null);
            });
  }

  private void await(
      CommandContext context, Exec.ProcessWait wait, long tag, ResultReceiver receiver) {
    long handle = wait.id().value();
    RunningProgram program = programs.get(context, handle);
    // No cancellation hook is needed: only the owner can wait, and when the owner goes the program
    // is killed, so this callback runs soon and finds the context cancelled.
    var _ =
        program
            .exit()
            .whenComplete(
                (status, error) -> {
                  if (context.isCancelled()) {
                    return;
                  }
                  var _ = programs.forget(handle);
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

  /** Runs on the thread that cancels the owner, which must not wait for a process-tree walk. */
  private static void killInBackground(RunningProgram program) {
    Thread.ofVirtual().name("exec-owner-gone").start(() -> program.kill(true));
  }
}
