package dev.baton.eval;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.process.Pid;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The eval module's commands and their ids (DESIGN.md's table), handled by {@link EvalModule}.
 *
 * <p>Scripts are JavaScript (ECMAScript 2024, GraalJS), run in a sandbox: no host classes, no
 * files, network, processes, threads or environment, only the script modules the command
 * whitelists, and each run under {@link Limits}. {@link Compile} checks a script once and keeps it
 * for the calling process; {@link Run} runs a script and completes with its result; {@link
 * CreateProcess} spawns a Baton process whose body is a script that yields commands.
 *
 * <p><b>Values crossing the sandbox.</b> Into a script (inputs, command results): {@code null},
 * {@link Boolean}, {@link Number} (as a JavaScript number: a {@code long} beyond 2<sup>53</sup>
 * loses precision; NaN and infinities are refused), {@link CharSequence}, enums (by name), {@link
 * java.time.temporal.TemporalAccessor} and {@link Duration} (by {@code toString()}), {@link
 * java.util.Collection} and arrays of these (as arrays) and {@link java.util.Map} with string keys
 * (as plain objects). Out of a script: {@code null} and {@code undefined} become {@code null}, a
 * boolean a {@link Boolean}, an integral number within {@code long} range a {@link Long}, any other
 * number a {@link Double}, a string a {@link String}, an array an unmodifiable {@link
 * java.util.List} and a plain object an unmodifiable {@link java.util.Map} with {@link String} keys
 * in insertion order. Functions, symbols, errors, dates, promises and anything nested deeper than
 * {@value #MAX_DEPTH} levels are refused with {@link ScriptValueException}.
 */
public final class Eval {
  /** The id of {@link Compile}. */
  public static final CommandId COMPILE = CommandId.of(170);

  /** The id of {@link Run}. */
  public static final CommandId RUN = CommandId.of(171);

  /** The id of {@link CreateProcess}. */
  public static final CommandId CREATE_PROCESS = CommandId.of(172);

  /** How deeply lists and maps may nest in a value crossing the sandbox. */
  public static final int MAX_DEPTH = 64;

  private Eval() {}

  /**
   * A script compiled by {@link Compile}, private to the process that compiled it and released when
   * it ends.
   *
   * @param value the handle's number
   */
  public record ProgramId(long value) {}

  /** What to run: a compiled program, or source text compiled on the spot. */
  public sealed interface Script {
    /** The script {@code source}, named {@code name} in error messages. */
    static Script source(String name, String source) {
      return new Source(name, source);
    }

    /** The script {@code source}, named {@code script.js} in error messages. */
    static Script source(String source) {
      return new Source("script.js", source);
    }

    /** The program {@code id}, compiled earlier by the same process. */
    static Script program(ProgramId id) {
      return new Program(id);
    }

    /**
     * Source text.
     *
     * @param name the script's name in error messages; not blank
     * @param text the JavaScript source
     */
    record Source(String name, String text) implements Script {
      /** Validates the name and requires a text. */
      public Source {
        checkName(name);
        requireNonNull(text, "text");
      }
    }

    /**
     * A compiled program.
     *
     * @param id its handle, owned by the process yielding the command
     */
    record Program(ProgramId id) implements Script {
      /** Requires an id. */
      public Program {
        requireNonNull(id, "id");
      }
    }
  }

  /**
   * The resources one run may use; exceeding one stops the script with a {@link
   * ScriptLimitExceededException} naming it. For a script process the limits hold for the whole
   * life of the script, summed over its slices of execution (the time it waits for a yielded
   * command does not count).
   *
   * @param maxStatements how many JavaScript statements may execute (deterministic; counted by the
   *     engine)
   * @param cpuTime how much CPU time the thread running the script may use
   * @param wallTime how long the script may run, by the clock
   * @param maxAllocatedBytes how many bytes the thread running the script may allocate on the heap
   *     (all allocations, garbage included, the engine's own among them: a budget of allocation,
   *     not a cap on live memory)
   * @param maxCommands how many commands a script process may yield in its life (its commands run
   *     outside its slices, so the other limits do not see them); the one past it fails the process
   *     before it is dispatched. Runs yield no commands.
   */
  public record Limits(
      long maxStatements,
      Duration cpuTime,
      Duration wallTime,
      long maxAllocatedBytes,
      long maxCommands) {

    /**
     * 50 million statements, 10 s of CPU, 30 s of wall time, 1 GiB of allocation and 100,000
     * commands: generous for glue code, small enough to stop a runaway script quickly.
     */
    public static final Limits DEFAULT =
        new Limits(50_000_000, Duration.ofSeconds(10), Duration.ofSeconds(30), 1L << 30, 100_000);

    /** Validates: every limit positive. */
    public Limits {
      if (maxStatements <= 0) {
        throw new IllegalArgumentException("maxStatements must be positive, was " + maxStatements);
      }
      checkPositive(cpuTime, "cpuTime");
      checkPositive(wallTime, "wallTime");
      if (maxAllocatedBytes <= 0) {
        throw new IllegalArgumentException(
            "maxAllocatedBytes must be positive, was " + maxAllocatedBytes);
      }
      if (maxCommands <= 0) {
        throw new IllegalArgumentException("maxCommands must be positive, was " + maxCommands);
      }
    }

    /** These limits with {@code maxStatements}. */
    public Limits withMaxStatements(long maxStatements) {
      return new Limits(maxStatements, cpuTime, wallTime, maxAllocatedBytes, maxCommands);
    }

    /** These limits with {@code cpuTime}. */
    public Limits withCpuTime(Duration cpuTime) {
      return new Limits(maxStatements, cpuTime, wallTime, maxAllocatedBytes, maxCommands);
    }

    /** These limits with {@code wallTime}. */
    public Limits withWallTime(Duration wallTime) {
      return new Limits(maxStatements, cpuTime, wallTime, maxAllocatedBytes, maxCommands);
    }

    /** These limits with {@code maxAllocatedBytes}. */
    public Limits withMaxAllocatedBytes(long maxAllocatedBytes) {
      return new Limits(maxStatements, cpuTime, wallTime, maxAllocatedBytes, maxCommands);
    }

    /** These limits with {@code maxCommands}. */
    public Limits withMaxCommands(long maxCommands) {
      return new Limits(maxStatements, cpuTime, wallTime, maxAllocatedBytes, maxCommands);
    }

    private static void checkPositive(Duration duration, String name) {
      requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + duration);
      }
    }
  }

  /**
   * Compiles (parses and checks) {@code source} and completes with a {@link ProgramId} the calling
   * process can {@link Run} or {@link CreateProcess} any number of times; the parsed form is cached
   * by the module's engine, so later runs skip parsing. The program is released when the process
   * ends.
   *
   * <p>Errors: {@link ScriptCompileException} (with line and column) if the source does not parse;
   * {@link dev.baton.modules.NotAProcessException} if the caller is not a process; {@link
   * EvalStoppedException} once the module stopped.
   *
   * @param name the script's name in error messages; not blank
   * @param source the JavaScript source
   */
  public record Compile(String name, String source) implements Command<ProgramId> {
    /** Validates the name and requires a source. */
    public Compile {
      checkName(name);
      requireNonNull(source, "source");
    }

    /** Compiles {@code source} named {@code script.js}. */
    public static Compile of(String source) {
      return new Compile("script.js", source);
    }

    @Override
    public CommandId commandId() {
      return COMPILE;
    }
  }

  /**
   * Runs {@code script} in a fresh sandbox and completes with its result, converted as the class
   * comment says (null when the script's result is {@code null} or {@code undefined}). The script
   * sees {@code input} (converted) as the global {@code input}; if it declares a global function
   * {@code main}, the result is {@code main(input)}'s return value, otherwise the value of the
   * script's last expression statement. A script that needs commands is a process: see {@link
   * CreateProcess}. The script runs on the module's own threads, never on a scheduler worker; if
   * this command's context is cancelled (the caller ended, or the yield's deadline passed), the
   * script is stopped.
   *
   * <p>Errors: {@link ScriptCompileException}; {@link ScriptFailedException} if the script threw
   * (reaching a denied host facility is a {@code ReferenceError} or {@code TypeError} this way);
   * {@link ScriptLimitExceededException}; {@link ScriptValueException} if the input or the result
   * cannot cross the sandbox; {@link UnknownScriptModuleException} for a module the module does not
   * know; {@link dev.baton.modules.HandleNotFoundException} for a program the caller does not own;
   * {@link EvalStoppedException}.
   *
   * @param script what to run
   * @param input the script's {@code input}
   * @param modules the names of the script modules the script may use (for example {@code "json"});
   *     no other is installed
   * @param limits the run's limits
   */
  public record Run(Script script, @Nullable Object input, Set<String> modules, Limits limits)
      implements Command<Object> {
    /** Validates and copies. */
    public Run {
      requireNonNull(script, "script");
      modules = Set.copyOf(requireNonNull(modules, "modules"));
      requireNonNull(limits, "limits");
    }

    /** Runs {@code source} with {@code input}, no modules and the default limits. */
    public static Run of(String source, @Nullable Object input) {
      return new Run(Script.source(source), input, Set.of(), Limits.DEFAULT);
    }

    /** This run with {@code limits}. */
    public Run withLimits(Limits limits) {
      return new Run(script, input, modules, limits);
    }

    /** This run with the script modules {@code modules} whitelisted. */
    public Run withModules(String... modules) {
      return new Run(script, input, Set.of(modules), limits);
    }

    @Override
    public CommandId commandId() {
      return RUN;
    }
  }

  /**
   * Spawns a Baton process whose body is {@code script} and completes with its {@link Pid}. The
   * script declares a generator function {@code function* main(input)} and yields commands built
   * with the {@code baton} module, always installed for processes: {@code const v = yield
   * baton.command(id, args)} dispatches the command whose factory is registered under {@code id}
   * (see {@link ScriptCommand}) and resumes with its result, converted; a failed command throws
   * into the script an {@code Error} whose {@code name} is the failure's simple class name, which
   * the script may catch. The process ends when {@code main} returns, with the returned value
   * (converted) as its result, or fails with the script's error. A {@code main} that is a plain
   * function runs once and its return value is the result. Terminating the process stops the
   * script.
   *
   * <p>Only ids in {@code allowedCommands} may be yielded: another fails the process with {@link
   * CommandNotAllowedException} before anything is dispatched. A yielded value that is not a
   * command, or arguments a factory refuses, fail it with {@link ScriptCommandException}.
   *
   * <p>Errors of the spawn itself: {@link ScriptCompileException} (the source is parsed before the
   * process is spawned), {@link UnknownScriptModuleException}, {@link
   * dev.baton.modules.HandleNotFoundException}, {@link EvalStoppedException}, and the scheduler's
   * spawn failures.
   *
   * @param script the process's body
   * @param input what {@code main} receives
   * @param allowedCommands the command ids the script may yield
   * @param modules the script modules installed besides {@code baton}
   * @param limits the limits of the whole script
   * @param link whether the new process is linked to the caller (each ends when the other fails)
   * @param monitor whether the caller is told of the new process's end: a message on {@link
   *     dev.baton.process.Message#EXIT_TOPIC} whose payload is a {@link
   *     dev.baton.process.ExitSignal} carrying the script's result or error
   */
  public record CreateProcess(
      Script script,
      @Nullable Object input,
      Set<CommandId> allowedCommands,
      Set<String> modules,
      Limits limits,
      boolean link,
      boolean monitor)
      implements Command<Pid> {
    /** Validates and copies. */
    public CreateProcess {
      requireNonNull(script, "script");
      allowedCommands = Set.copyOf(requireNonNull(allowedCommands, "allowedCommands"));
      modules = Set.copyOf(requireNonNull(modules, "modules"));
      requireNonNull(limits, "limits");
    }

    /**
     * Spawns {@code source} with {@code input}, allowed to yield {@code allowedCommands}, with no
     * extra modules, the default limits, neither linked nor monitored.
     */
    public static CreateProcess of(
        String source, @Nullable Object input, Set<CommandId> allowedCommands) {
      return new CreateProcess(
          Script.source(source), input, allowedCommands, Set.of(), Limits.DEFAULT, false, false);
    }

    /** This command with {@code limits}. */
    public CreateProcess withLimits(Limits limits) {
      return new CreateProcess(script, input, allowedCommands, modules, limits, link, monitor);
    }

    /** This command with the script modules {@code modules} whitelisted. */
    public CreateProcess withModules(String... modules) {
      return new CreateProcess(
          script, input, allowedCommands, Set.of(modules), limits, link, monitor);
    }

    /** This command running {@code script} instead. */
    public CreateProcess withScript(Script script) {
      return new CreateProcess(script, input, allowedCommands, modules, limits, link, monitor);
    }

    /** This command spawning a process linked to the caller. */
    public CreateProcess linked() {
      return new CreateProcess(script, input, allowedCommands, modules, limits, true, monitor);
    }

    /** This command spawning a process monitored by the caller. */
    public CreateProcess monitored() {
      return new CreateProcess(script, input, allowedCommands, modules, limits, link, true);
    }

    @Override
    public CommandId commandId() {
      return CREATE_PROCESS;
    }
  }

  private static void checkName(String name) {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
  }
}
