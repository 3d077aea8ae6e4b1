package dev.baton.modules.process;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.process.Processes.Body;
import dev.baton.modules.process.Processes.ByName;
import dev.baton.modules.process.Processes.ByPid;
import dev.baton.modules.process.Processes.Cancel;
import dev.baton.modules.process.Processes.ChildOptions;
import dev.baton.modules.process.Processes.CoroutineBody;
import dev.baton.modules.process.Processes.Exec;
import dev.baton.modules.process.Processes.Link;
import dev.baton.modules.process.Processes.Monitor;
import dev.baton.modules.process.Processes.Send;
import dev.baton.modules.process.Processes.Spawn;
import dev.baton.modules.process.Processes.StepBody;
import dev.baton.modules.process.Processes.Terminate;
import dev.baton.modules.process.Processes.Unlink;
import dev.baton.modules.process.Processes.Unmonitor;
import dev.baton.modules.spi.Callers;
import dev.baton.process.CoroutineScope;
import dev.baton.process.ExitSignal;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.process.Scheduler;
import dev.baton.process.SpawnOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The process module (ids 1-9): the {@link Processes} commands, carried out on the node's {@link
 * Scheduler}.
 *
 * <p><b>Concurrency.</b> Every handler but {@link Processes.Exec}'s answers at once, on the thread
 * that dispatched the command, with the scheduler's own thread-safe operations; the module keeps no
 * state of its own. Exec spawns a <em>watcher</em>, a coroutine process on a virtual thread, that
 * spawns the child monitored by and linked to it and completes the caller's tag when the child's
 * {@link Message#EXIT_TOPIC} message arrives; no platform thread waits for a child.
 *
 * <p><b>Failure.</b> Domain errors are completed as the command's error: the scheduler's own typed
 * exceptions ({@link ProcessNotFoundException}, {@link dev.baton.process.MailboxFullException},
 * {@link dev.baton.process.NameTakenException}, {@link dev.baton.process.SpawnFailedException},
 * ...) pass through as they are; this module adds {@link NameNotFoundException}, {@link
 * ChildFailedException} and {@link dev.baton.modules.NotAProcessException}.
 *
 * <p><b>Exec and cancellation.</b> When an Exec's context is cancelled (its yield's deadline
 * passed, or its caller ended), the child and the watcher are terminated and the command completes
 * with a {@link CancellationException}, which the runtime drops (nobody waits for it any more). The
 * seed instead left the child running; Baton stops it because the child's only consumer is gone,
 * and an orphan that nobody can name (its pid was never returned) could only leak. A caller that
 * wants a child to outlive it uses {@link Processes.Spawn} instead.
 */
public final class ProcessModule implements Dispatcher {
  /** The module's name in the id table. */
  public static final String MODULE = "process";

  /** Creates the module; it takes the node's scheduler when it registers its handlers. */
  public ProcessModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        Processes.SEND,
        Processes.SPAWN,
        Processes.TERMINATE,
        Processes.CANCEL,
        Processes.MONITOR,
        Processes.UNMONITOR,
        Processes.LINK,
        Processes.UNLINK,
        Processes.EXEC);
  }

  /** The handlers act on the node's scheduler. */
  @Override
  public List<String> dependsOn() {
    return List.of(Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    Scheduler scheduler = services.require(Scheduler.KEY);
    registrar.register(
        Processes.SEND,
        Handler.forType(
            Send.class,
            (context, send, tag, receiver) ->
                receiver.completeYield(tag, send(scheduler, context, send), null)));
    registrar.register(
        Processes.SPAWN,
        Handler.forType(
            Spawn.class,
            (context, spawn, tag, receiver) ->
                receiver.completeYield(tag, spawn(scheduler, context, spawn), null)));
    registrar.register(
        Processes.TERMINATE,
        Handler.forType(
            Terminate.class,
            (context, terminate, tag, receiver) -> {
              scheduler.terminate(terminate.target(), terminate.reason());
              receiver.completeYield(tag, true, null);
            }));
    registrar.register(
        Processes.CANCEL,
        Handler.forType(
            Cancel.class,
            (context, cancel, tag, receiver) -> {
              scheduler.cancel(cancel.target(), cancel.reason());
              receiver.completeYield(tag, true, null);
            }));
    registrar.register(
        Processes.MONITOR,
        Handler.forType(
            Monitor.class,
            (context, monitor, tag, receiver) -> {
              scheduler.monitor(Callers.pidOf(context, "process.Monitor"), monitor.target());
              receiver.completeYield(tag, true, null);
            }));
    registrar.register(
        Processes.UNMONITOR,
        Handler.forType(
            Unmonitor.class,
            (context, unmonitor, tag, receiver) ->
                receiver.completeYield(
                    tag,
                    scheduler.demonitor(
                        Callers.pidOf(context, "process.Unmonitor"), unmonitor.target()),
                    null)));
    registrar.register(
        Processes.LINK,
        Handler.forType(
            Link.class,
            (context, link, tag, receiver) -> {
              scheduler.link(Callers.pidOf(context, "process.Link"), link.target());
              receiver.completeYield(tag, true, null);
            }));
    registrar.register(
        Processes.UNLINK,
        Handler.forType(
            Unlink.class,
            (context, unlink, tag, receiver) ->
                receiver.completeYield(
                    tag,
                    scheduler.unlink(Callers.pidOf(context, "process.Unlink"), unlink.target()),
                    null)));
    registrar.register(
        Processes.EXEC,
        Handler.forType(
            Exec.class,
            (context, exec, tag, receiver) -> exec(scheduler, context, exec, tag, receiver)));
  }

  /**
   * Nothing to release: the module keeps no state, and the watchers of pending {@link
   * Processes.Exec}s are processes, which the scheduler (this module depends on it, so it stops
   * after the module) terminates with the rest.
   */
  @Override
  public void stop() {}

  private static boolean send(Scheduler scheduler, CommandContext context, Send send) {
    Pid to =
        switch (send.to()) {
          case ByPid byPid -> byPid.pid();
          case ByName byName ->
              scheduler
                  .whereis(byName.name())
                  .orElseThrow(() -> new NameNotFoundException(byName.name()));
        };
    // The process may end between the lookup and the send: that is a ProcessNotFoundException
    // naming its pid, as for a send by pid.
    Pid sender = context.caller() instanceof Pid pid ? pid : null;
    scheduler.send(to, new Message(send.topic(), send.payload(), sender));
    return true;
  }

  private static Pid spawn(Scheduler scheduler, CommandContext context, Spawn spawn) {
    ChildOptions options = spawn.options();
    Pid parent =
        options.link() || options.monitor() ? Callers.pidOf(context, "process.Spawn") : null;
    return spawnBody(
        scheduler,
        spawn.body(),
        spawn.input(),
        new SpawnOptions(
            parent, options.link(), options.monitor(), options.name(), options.trapLinks()));
  }

  private static Pid spawnBody(
      Scheduler scheduler, Body body, @Nullable Object input, SpawnOptions options) {
    return switch (body) {
      case StepBody step -> scheduler.spawn(step.process(), input, options);
      case CoroutineBody coroutine -> scheduler.spawnCoroutine(coroutine.body(), input, options);
    };
  }

  private static void exec(
      Scheduler scheduler, CommandContext context, Exec exec, long tag, ResultReceiver receiver) {
    if (context.isCancelled()) {
      // Spawn nothing, since nobody would read the result.
      receiver.completeYield(tag, null, ExecRun.cancelledError());
      return;
    }
    ExecRun run = new ExecRun(scheduler, exec, tag, receiver);
    // The watcher traps links: the child's failure must reach it as its @exit message, not kill it.
    // A spawn failure here (a full scheduler) completes the tag with that error; nothing was made.
    run.watcher = scheduler.spawnCoroutine(run::watch, null, SpawnOptions.NONE.trappingLinks());
    run.keepRegistration(context.onCancel(run::callerGone));
  }

  /**
   * One pending {@link Processes.Exec}: the watcher's body, and the race between the child's end
   * (the watcher completes the tag) and the command's cancellation (the child and the watcher are
   * terminated and the tag completes with an error).
   *
   * <p>{@link #finished} decides that race once. The child's pid is published through a volatile
   * field and {@link #callerGone} is volatile too, so either the watcher sees the caller gone after
   * publishing the child, or the cancellation sees the child: the child is terminated in both
   * cases. As a backstop the child is linked to the watcher, so terminating the watcher terminates
   * the child even if neither saw the other.
   */
  private static final class ExecRun {
    private final Scheduler scheduler;
    private final Exec exec;
    private final long tag;
    private final ResultReceiver receiver;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

    /** Set by the handler right after the spawn, before the cancellation is registered. */
    volatile @Nullable Pid watcher;

    private volatile @Nullable Pid child;
    private volatile boolean callerGone;

    ExecRun(Scheduler scheduler, Exec exec, long tag, ResultReceiver receiver) {
      this.scheduler = scheduler;
      this.exec = exec;
      this.tag = tag;
      this.receiver = receiver;
    }

    /** The watcher coroutine's body. */
    @Nullable Object watch(CoroutineScope self, @Nullable Object unused) {
      Pid spawned;
      try {
        spawned =
            spawnBody(
                scheduler,
                exec.body(),
                exec.input(),
                new SpawnOptions(self.pid(), true, true, null, false));
      } catch (RuntimeException spawnFailed) {
        complete(null, spawnFailed); // the watcher ends right after: nothing leaks
        return null;
      }
      child = spawned;
      if (callerGone) {
        terminateQuietly(spawned, "the process that exec'd it ended");
        return null;
      }
      try {
        ExitSignal exit =
            (ExitSignal) requireNonNull(self.receive(Message.EXIT_TOPIC).payload(), "exit signal");
        ProcessResult result = exit.result();
        Throwable error = result.error();
        if (error == null) {
          complete(result.value(), null);
        } else {
          complete(null, new ChildFailedException(spawned, error));
        }
        return null;
      } catch (RuntimeException watcherStopped) {
        // Terminated (the caller ended, or the scheduler shuts down): the link takes the child
        // down with the watcher; a caller that is still there hears why.
        complete(null, watcherStopped);
        throw watcherStopped;
      }
    }

    void keepRegistration(Registration cancelRegistration) {
      registration.set(cancelRegistration);
      if (finished.get()) {
        cancelRegistration.remove(); // finished before the registration was recorded
      }
    }

    /**
     * The command was cancelled (its deadline passed, or the caller ended): nobody reads the
     * result, so stop the child and the watcher, and complete with an error the runtime drops.
     */
    void callerGone() {
      callerGone = true;
      if (finished.compareAndSet(false, true)) {
        receiver.completeYield(tag, null, cancelledError());
      }
      Pid spawned = child;
      if (spawned != null) {
        terminateQuietly(spawned, "the process that exec'd it ended");
      }
      Pid self = watcher;
      if (self != null) {
        terminateQuietly(self, "the process that exec'd ended");
      }
    }

    static CancellationException cancelledError() {
      return new CancellationException(
          "process.Exec was cancelled: its deadline passed or its caller ended; the child was"
              + " terminated");
    }

    private void complete(@Nullable Object value, @Nullable Throwable error) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      Registration cancelRegistration = registration.get();
      if (cancelRegistration != null) {
        cancelRegistration.remove();
      }
      receiver.completeYield(tag, value, error);
    }

    private void terminateQuietly(Pid pid, String reason) {
      try {
        scheduler.terminate(pid, reason);
      } catch (ProcessNotFoundException alreadyEnded) {
        // it ended by itself meanwhile: nothing to stop
      }
    }
  }
}
