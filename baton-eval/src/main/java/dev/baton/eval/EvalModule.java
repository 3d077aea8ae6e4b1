package dev.baton.eval;

import static java.util.Objects.requireNonNull;

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
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.process.SpawnOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * The eval module: {@link Eval.Compile}, {@link Eval.Run} and {@link Eval.CreateProcess}, running
 * JavaScript on GraalJS in a sandbox.
 *
 * <p><b>Design.</b> Scripts never run on a scheduler worker nor on the dispatching thread: every
 * parse and every slice of a script runs on the module's own pool of platform threads (the JVM
 * reports CPU time and allocation per platform thread, which the limits need); a run waits in the
 * pool's queue when every thread is busy. {@link Eval.Run} submits the whole run as one task;
 * {@link Eval.CreateProcess} spawns a coroutine ({@link ScriptProcess}) that submits one slice per
 * resumption and calls the script's commands between slices. A {@link Watchdog} thread enforces the
 * CPU, wall-time and allocation limits; the engine enforces the statement limit. Each run has its
 * own context (no state leaks between runs); the engine, and so the parse cache, is shared.
 * Compiled programs are owned by the process that compiled them ({@link OwnedResources}).
 *
 * <p><b>Cancellation.</b> When a Run's context is cancelled (its caller ended, or the yield's
 * deadline passed), its session is stopped: the context is closed with cancellation, the script
 * stops at its next statement, and the tag completes with a {@link CancellationException}. A
 * terminated script process stops its script the same way. Stopping the module stops every script
 * and refuses later commands with {@link EvalStoppedException}. Thread-safe.
 *
 * <p>Boot it with {@code Dispatcher.component(EvalModule.builder().build())}; it needs the
 * scheduler (for {@link Eval.CreateProcess}). On a stock JDK, launch the JVM with {@code
 * --enable-native-access=org.graalvm.truffle --sun-misc-unsafe-memory-access=allow} ({@code
 * ALL-UNNAMED} instead of {@code org.graalvm.truffle} on the class path), or the JDK warns about
 * Truffle's native and {@code Unsafe} access; the JVM must measure per-thread CPU time and
 * allocation (HotSpot-based JDKs do), or {@link #start()} refuses.
 */
public final class EvalModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "eval";

  private final Map<CommandId, ScriptCommand> factories;
  private final Map<String, String> moduleSources;
  private final int threads;

  private final OwnedResources<Program> programs = new OwnedResources<>("script program");

  /** The live sessions, for {@link #stop()}. */
  private final Set<Session> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Set once by {@link #start()}; read by handlers after boot. */
  private volatile @Nullable Machinery runtime;

  private volatile boolean stopped;

  /** What {@link #start()} creates and {@link #stop()} closes. */
  private record Machinery(JsSandbox sandbox, ExecutorService executor, Watchdog watchdog) {}

  /** A compiled program: its name and parsed source. */
  private record Program(Source source) {}

  private EvalModule(Builder builder) {
    this.factories = Map.copyOf(builder.factories);
    this.moduleSources = Map.copyOf(builder.modules);
    this.threads = builder.threads;
  }

  /**
   * A builder with the {@link ScriptCommand#standard() standard command factories}, the built-in
   * {@code json} script module, and as many script threads as processors (at least 2).
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Eval.COMPILE, Eval.RUN, Eval.CREATE_PROCESS);
  }

  @Override
  public List<String> dependsOn() {
    return List.of(Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    registrar.register(Eval.COMPILE, Handler.forType(Eval.Compile.class, this::compile));
    registrar.register(Eval.RUN, Handler.forType(Eval.Run.class, this::run));
    registrar.register(
        Eval.CREATE_PROCESS,
        Handler.forType(
            Eval.CreateProcess.class,
            (context, create, tag, receiver) ->
                createProcess(services.require(Scheduler.KEY), context, create, tag, receiver)));
  }

  /**
   * Creates the engine, the script threads and the watchdog.
   *
   * @throws IllegalStateException if the JVM cannot measure a thread's CPU time and allocation (the
   *     limits need both; HotSpot-based JDKs can)
   */
  @Override
  public void start() {
    Watchdog watchdog = new Watchdog(); // first: it refuses a JVM that cannot enforce the limits
    AtomicInteger count = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            runnable ->
                Thread.ofPlatform()
                    .daemon()
                    .name("eval-script-" + count.incrementAndGet())
                    .unstarted(runnable));
    runtime = new Machinery(new JsSandbox(moduleSources), executor, watchdog);
  }

  /**
   * Stops every running script (each fails with {@link EvalStoppedException}), releases the
   * programs, and closes the engine, the threads and the watchdog; later commands fail with {@link
   * EvalStoppedException}.
   */
  @Override
  public void stop() {
    stopped = true;
    for (Session session : List.copyOf(sessions)) {
      session.cancel(() -> new EvalStoppedException("script '" + session.script + "'"));
    }
    var _ = programs.clear();
    Machinery running = runtime;
    if (running != null) {
      // Work still queued for a script thread is run here rather than dropped, so its tag or its
      // waiting script process is completed: every queued task starts by checking the module is
      // running, and fails at once with EvalStoppedException.
      for (Runnable queued : running.executor().shutdownNow()) {
        queued.run();
      }
      running.watchdog().close();
      running.sandbox().close();
    }
  }

  /** The number of programs held for their owners. */
  public int programCount() {
    return programs.size();
  }

  /** The number of scripts running (runs and script processes), for tests and diagnostics. */
  public int runningScripts() {
    return sessions.size();
  }

  // ---- handlers ----

  private void compile(
      CommandContext context, Eval.Compile compile, long tag, ResultReceiver receiver) {
    var _ = Callers.pidOf(context, "eval.Compile");
    Machinery running = running("eval.Compile of '" + compile.name() + "'");
    Source source = JsSandbox.source(compile.name(), compile.source());
    submit(
        running,
        receiver,
        tag,
        () -> {
          running.sandbox().check(source);
          if (context.isCancelled()) {
            throw cancelled("eval.Compile of '" + compile.name() + "'");
          }
          return new Eval.ProgramId(programs.add(context, new Program(source), program -> {}));
        });
  }

  private void run(CommandContext context, Eval.Run run, long tag, ResultReceiver receiver) {
    Source source = resolve(context, run.script());
    String script = source.getName();
    Machinery running = running("eval.Run of '" + script + "'");
    running.sandbox().checkModules(run.modules());
    String inputJson = Values.toJson(run.input(), "the input of script '" + script + "'");
    AtomicBoolean done = new AtomicBoolean();
    Session[] session = new Session[1];
    Registration stopOnCancel =
        context.onCancel(
            () -> {
              Session open;
              synchronized (session) {
                done.set(true);
                open = session[0];
              }
              if (open != null) {
                open.cancel(() -> cancelled("eval.Run of '" + script + "'"));
              }
            });
    submit(
        running,
        receiver,
        tag,
        () -> {
          if (done.get()) {
            // Cancelled while queued for a thread: no context is built for it.
            var _ = stopOnCancel.remove();
            throw cancelled("eval.Run of '" + script + "'");
          }
          Session opened;
          try {
            opened = openSession(script, run.limits(), run.modules(), false);
          } catch (RuntimeException e) {
            var _ = stopOnCancel.remove();
            throw e;
          }
          synchronized (session) {
            session[0] = opened;
            if (done.get()) {
              opened.cancel(() -> cancelled("eval.Run of '" + script + "'"));
            }
          }
          try {
            return opened.slice(
                () -> {
                  opened
                      .context
                      .getBindings(JsSandbox.LANGUAGE)
                      .putMember("input", opened.parseJson(inputJson));
                  Value completion = opened.context.eval(source);
                  Value main = opened.context.getBindings(JsSandbox.LANGUAGE).getMember("main");
                  Value result =
                      main != null && main.canExecute()
                          ? main.execute(opened.parseJson(inputJson))
                          : completion;
                  return Values.fromScript(result, "the result of script '" + script + "'");
                });
          } finally {
            var _ = stopOnCancel.remove();
            closeSession(opened);
          }
        });
  }

  private void createProcess(
      Scheduler scheduler,
      CommandContext context,
      Eval.CreateProcess create,
      long tag,
      ResultReceiver receiver) {
    Source source = resolve(context, create.script());
    String script = source.getName();
    Machinery running = running("eval.CreateProcess of '" + script + "'");
    running.sandbox().checkModules(create.modules());
    var _ = Values.toJson(create.input(), "the input of script '" + script + "'");
    SpawnOptions options = SpawnOptions.NONE;
    if (create.link()) {
      options = options.linkedTo(Callers.pidOf(context, "eval.CreateProcess (linked)"));
    }
    if (create.monitor()) {
      options = options.monitoredBy(Callers.pidOf(context, "eval.CreateProcess (monitored)"));
    }
    SpawnOptions spawnOptions = options;
    submit(
        running,
        receiver,
        tag,
        () -> {
          running.sandbox().check(source);
          if (context.isCancelled()) {
            throw cancelled("eval.CreateProcess of '" + script + "'");
          }
          ScriptProcess body =
              new ScriptProcess(
                  this, source, create.allowedCommands(), create.modules(), create.limits());
          Pid pid = scheduler.spawnCoroutine(body, create.input(), spawnOptions);
          return pid;
        });
  }

  // ---- shared with ScriptProcess ----

  /** The factory registered for {@code id}, or null. */
  @Nullable ScriptCommand factory(CommandId id) {
    return factories.get(id);
  }

  /**
   * Opens a session with {@code modules} installed (and {@code baton} for processes) and registers
   * it with the watchdog; the caller closes it with {@link #closeSession}. Runs the module sources,
   * so call it from a script thread or accept that they run on the caller's.
   */
  Session openSession(String script, Eval.Limits limits, Set<String> modules, boolean process) {
    Machinery running = running("script '" + script + "'");
    Session session = new Session(running.sandbox(), script, limits);
    sessions.add(session);
    running.watchdog().watch(session);
    if (stopped) {
      closeSession(session);
      throw new EvalStoppedException("script '" + script + "'");
    }
    try {
      if (process) {
        session.context.eval(JsSandbox.source("module-baton.js", JsSandbox.BATON_MODULE));
      }
      for (String name : modules) {
        running.sandbox().install(session.context, name);
      }
    } catch (RuntimeException e) {
      closeSession(session);
      throw e;
    }
    return session;
  }

  /**
   * {@link #openSession} for a script process, on a script thread (the context's setup runs
   * JavaScript, which never runs on the process's own thread); waits for it.
   */
  Session openSessionOnScriptThread(String script, Eval.Limits limits, Set<String> modules)
      throws Exception {
    Machinery running = running("script '" + script + "'");
    Future<Session> opened;
    try {
      opened = running.executor().submit(() -> openSession(script, limits, modules, true));
    } catch (RejectedExecutionException e) {
      throw new EvalStoppedException("script '" + script + "'");
    }
    try {
      return opened.get();
    } catch (InterruptedException e) {
      // Terminated while the context was being set up: close it once it exists.
      var _ = Thread.ofVirtual().start(() -> closeWhenOpened(opened));
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private void closeWhenOpened(Future<Session> opening) {
    try {
      closeSession(opening.get());
    } catch (InterruptedException | ExecutionException | CancellationException e) {
      // Nothing was opened, or it could not be waited for: nothing to close.
    }
  }

  private static Exception unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof Exception exception) {
      return exception;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return e;
  }

  /** Closes {@code session} and forgets it. */
  void closeSession(Session session) {
    sessions.remove(session);
    Machinery running = runtime;
    if (running != null) {
      running.watchdog().forget(session);
    }
    session.close();
  }

  /**
   * Runs {@code work} as a slice of {@code session} on a script thread and waits for it; for the
   * virtual thread of a script process. If the wait is interrupted (the process was terminated),
   * the session is stopped.
   */
  <T> T onScriptThread(Session session, Callable<T> work) throws Exception {
    Machinery running = running("script '" + session.script + "'");
    Future<T> slice;
    try {
      slice = running.executor().submit(() -> session.slice(work));
    } catch (RejectedExecutionException e) {
      throw new EvalStoppedException("script '" + session.script + "'");
    }
    try {
      return slice.get();
    } catch (InterruptedException e) {
      session.cancel(
          () -> new CancellationException("script process '" + session.script + "' was ended"));
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  // ---- helpers ----

  private Source resolve(CommandContext context, Eval.Script script) {
    return switch (script) {
      case Eval.Script.Source text -> JsSandbox.source(text.name(), text.text());
      case Eval.Script.Program program -> programs.get(context, program.id().value()).source();
    };
  }

  private Machinery running(String what) {
    Machinery running = runtime;
    if (stopped || running == null) {
      throw new EvalStoppedException(what);
    }
    return running;
  }

  /** Runs {@code work} on a script thread and completes {@code tag} with its outcome, once. */
  private void submit(Machinery running, ResultReceiver receiver, long tag, Callable<?> work) {
    try {
      running
          .executor()
          .execute(
              () -> {
                Object result;
                try {
                  if (stopped) {
                    throw new EvalStoppedException("eval command");
                  }
                  result = work.call();
                } catch (Throwable failed) {
                  receiver.completeYield(tag, null, failed);
                  return;
                }
                receiver.completeYield(tag, result, null);
              });
    } catch (RejectedExecutionException e) {
      receiver.completeYield(tag, null, new EvalStoppedException("eval command"));
    }
  }

  private static CancellationException cancelled(String what) {
    return new CancellationException(
        what + " was cancelled: its deadline passed or its caller ended");
  }

  /** Configures an {@link EvalModule}. Not thread-safe; build once. */
  public static final class Builder {
    private final Map<CommandId, ScriptCommand> factories =
        new LinkedHashMap<>(ScriptCommand.standard());
    private final Map<String, String> modules = new LinkedHashMap<>();
    private int threads = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());

    private Builder() {
      modules.put("json", JsSandbox.JSON_MODULE);
    }

    /**
     * Registers (or replaces) the factory scripts use to yield command {@code id}; a script still
     * needs the id in its {@link Eval.CreateProcess#allowedCommands()}.
     */
    public Builder command(CommandId id, ScriptCommand factory) {
      factories.put(requireNonNull(id, "id"), requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Registers (or replaces) the script module {@code name}: JavaScript run in a script's context
     * before the script when a command whitelists {@code name}. It runs inside the sandbox, so it
     * can only define plain JavaScript (typically a frozen global object named after it).
     */
    public Builder scriptModule(String name, String javaScript) {
      requireNonNull(name, "name");
      if (name.isBlank() || "baton".equals(name)) {
        throw new IllegalArgumentException("a script module name must not be blank or 'baton'");
      }
      modules.put(name, requireNonNull(javaScript, "javaScript"));
      return this;
    }

    /** How many scripts may run at once (the platform threads running them); at least 1. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Builds the module. */
    public EvalModule build() {
      return new EvalModule(this);
    }
  }
}
