package dev.baton.modules.exec;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.modules.stream.Streams;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The exec module's commands and their ids (DESIGN.md's table), handled by {@link ExecModule}.
 *
 * <p>A process starts an operating-system program with {@link Start} (no shell: the argument vector
 * reaches the program exactly as given), waits for it with {@link ProcessWait}, and may {@link
 * Kill} it. The OS process belongs to the process that started it: no other process can reach it,
 * and it is killed (with its descendants) when that process ends.
 */
public final class Exec {
  /** The id of {@link ProcessWait}. */
  public static final CommandId PROCESS_WAIT = CommandId.of(150);

  /** The id of {@link Start}. */
  public static final CommandId START = CommandId.of(151);

  /** The id of {@link Kill}. */
  public static final CommandId KILL = CommandId.of(152);

  /** The default limit of captured output, per stream: 64 KiB. */
  public static final int DEFAULT_CAPTURE_LIMIT = 64 * 1024;

  private Exec() {}

  /**
   * An OS process started by the process that holds this id; private to it. Handles compare by all
   * components; {@link ProcessWait} and {@link Kill} use only {@code value}.
   *
   * @param value the handle's number
   * @param stdin the program's stdin as a stream, if it was started with {@link Input#pipe()}
   * @param stdout the program's stdout as a stream, if it was started with {@link Output#pipe()}
   * @param stderr the program's stderr as a stream, if it was started with {@link Output#pipe()}
   */
  public record ExecId(
      long value,
      Streams.@Nullable StreamId stdin,
      Streams.@Nullable StreamId stdout,
      Streams.@Nullable StreamId stderr) {

    /** An id without pipes. */
    public ExecId(long value) {
      this(value, null, null, null);
    }

    /**
     * The program's stdin as a writable stream, for a Start with {@link Input#pipe()}.
     *
     * @throws IllegalStateException if stdin was not piped
     */
    public Streams.StreamId stdinStream() {
      return piped(stdin, "stdin", "withStdin(Input.pipe())");
    }

    /**
     * The program's stdout as a readable stream, for a Start with {@link Output#pipe()}.
     *
     * @throws IllegalStateException if stdout was not piped
     */
    public Streams.StreamId stdoutStream() {
      return piped(stdout, "stdout", "withStdout(Output.pipe())");
    }

    /**
     * The program's stderr as a readable stream, for a Start with {@link Output#pipe()}.
     *
     * @throws IllegalStateException if stderr was not piped
     */
    public Streams.StreamId stderrStream() {
      return piped(stderr, "stderr", "withStderr(Output.pipe())");
    }

    private static Streams.StreamId piped(
        Streams.@Nullable StreamId stream, String name, String how) {
      if (stream == null) {
        throw new IllegalStateException(name + " was not piped: start the program with " + how);
      }
      return stream;
    }
  }

  /**
   * Where the program's standard input comes from: nothing (the default), a file, or a pipe the
   * starting process writes to.
   */
  public sealed interface Input {
    /** An empty stdin (closed at once). */
    static Input empty() {
      return new Empty();
    }

    /**
     * A pipe: {@link ExecId#stdinStream()} is a writable stream owned by the starting process; a
     * Close of it is the end of the program's input.
     */
    static Input pipe() {
      return new FromPipe();
    }

    /** The content of {@code file}. */
    static Input fromFile(Path file) {
      return new FromFile(file);
    }

    /** The program's stdin is closed at once. */
    record Empty() implements Input {}

    /** The program's stdin is a stream of the stream module, written by the starting process. */
    record FromPipe() implements Input {}

    /**
     * The program reads {@code file}.
     *
     * @param file the file
     */
    record FromFile(Path file) implements Input {
      /** Requires a file. */
      public FromFile {
        requireNonNull(file, "file");
      }
    }
  }

  /**
   * Where one of the program's output streams (stdout or stderr) goes: captured, discarded,
   * inherited, to a file, or piped to the starting process as a stream ({@link #pipe()}).
   */
  public sealed interface Output {
    /** Keeps the first {@link Exec#DEFAULT_CAPTURE_LIMIT} bytes for {@link ExitStatus}. */
    static Output capture() {
      return new Capture(DEFAULT_CAPTURE_LIMIT);
    }

    /** Keeps the first {@code limitBytes} bytes for {@link ExitStatus}. */
    static Output capture(int limitBytes) {
      return new Capture(limitBytes);
    }

    /** Throws the output away (the OS discards it; nothing is read). */
    static Output discard() {
      return new Discard();
    }

    /** Writes it to this JVM's own stdout or stderr. */
    static Output inherit() {
      return new Inherit();
    }

    /** Writes it to {@code file}, replacing its content. */
    static Output toFile(Path file) {
      return new ToFile(file, false);
    }

    /** Appends it to {@code file}. */
    static Output appendToFile(Path file) {
      return new ToFile(file, true);
    }

    /**
     * A pipe the starting process reads: {@link ExecId#stdoutStream()} (or {@code stderrStream()})
     * is a readable stream it owns, read with the stream module's Read or ScannerScan as the
     * program writes. Nothing else reads it: a program that writes more than the pipe holds (64 KiB
     * on Linux) waits until the process reads. {@link ExitStatus} holds no bytes for it.
     */
    static Output pipe() {
      return new ToPipe();
    }

    /** The output goes to a stream of the stream module, read by the starting process. */
    record ToPipe() implements Output {}

    /**
     * Read on a virtual thread into a bounded buffer: the first {@code limitBytes} bytes are kept
     * and the rest is read and thrown away (so the program never blocks on a full pipe), and {@link
     * ExitStatus} says it was truncated.
     *
     * @param limitBytes how many bytes to keep; 0 or more
     */
    record Capture(int limitBytes) implements Output {
      /** Rejects a negative limit. */
      public Capture {
        if (limitBytes < 0) {
          throw new IllegalArgumentException("limitBytes must be 0 or more, was " + limitBytes);
        }
      }
    }

    /** The output is thrown away by the OS. */
    record Discard() implements Output {}

    /** The output goes to this JVM's own stream. */
    record Inherit() implements Output {}

    /**
     * The output goes to a file.
     *
     * @param file the file
     * @param append whether to append rather than replace
     */
    record ToFile(Path file, boolean append) implements Output {
      /** Requires a file. */
      public ToFile {
        requireNonNull(file, "file");
      }
    }
  }

  /**
   * Starts the program {@code command.get(0)} with the arguments {@code command.subList(1, ...)},
   * exactly as given: no shell runs, so nothing is interpolated, globbed or split ({@code "$(echo
   * x)"} reaches the program as those characters). To use shell syntax, start a shell explicitly:
   * {@code List.of("sh", "-c", script)}, with all the quoting care that implies. The program's
   * stdin is empty (closed at once) unless {@code stdin} says otherwise. Completes with the
   * process's {@link ExecId} as soon as the program runs; with {@link Input#pipe()} or {@link
   * Output#pipe()}, the id carries the pipes as streams of the stream module ({@link
   * ExecId#stdinStream()}, {@link ExecId#stdoutStream()}, {@link ExecId#stderrStream()}), owned by
   * the starting process like the program, and closed when it ends (when the program is killed).
   * Pipes need the node's stream table: boot the module with {@link ExecModule#withStreams()}.
   *
   * <p>Errors: {@link ExecStartException} if the program could not be started (not found, not
   * executable, the working directory or an output file's directory missing); {@link
   * ExecStoppedException} if the module has stopped; {@link dev.baton.modules.NotAProcessException}
   * if the caller is not a process; {@link IllegalStateException} if a pipe is asked of a module
   * booted without the stream table. If the Start's deadline passes while the program is launching,
   * the program is killed once it runs (and its pipes closed).
   *
   * @param command the program (looked up on {@code PATH} when it has no slash) and its arguments;
   *     not empty, no null elements, no NUL characters
   * @param workingDirectory the program's working directory, or null for this JVM's
   * @param environment variables added to (or replacing in) this JVM's environment
   * @param stdout where standard output goes; captured (64 KiB) by default
   * @param stderr where standard error goes; captured (64 KiB) by default
   * @param stdin where standard input comes from; empty by default
   */
  public record Start(
      List<String> command,
      @Nullable Path workingDirectory,
      Map<String, String> environment,
      Output stdout,
      Output stderr,
      Input stdin)
      implements Command<ExecId> {

    /** Validates and copies the arguments. */
    public Start {
      requireNonNull(command, "command");
      if (command.isEmpty()) {
        throw new IllegalArgumentException("command must name a program; it was empty");
      }
      command = List.copyOf(command); // rejects null elements
      if (command.getFirst().isBlank()) {
        throw new IllegalArgumentException("command's program (its first element) is blank");
      }
      for (int i = 0; i < command.size(); i++) {
        if (command.get(i).indexOf('\0') >= 0) {
          throw new IllegalArgumentException(
              "command[" + i + "] contains a NUL character, which no OS argument can hold");
        }
      }
      requireNonNull(environment, "environment");
      Map<String, String> copy = new LinkedHashMap<>();
      environment.forEach(
          (name, value) -> {
            requireNonNull(name, "environment name");
            requireNonNull(value, () -> "environment value of " + name);
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
              throw new IllegalArgumentException(
                  "environment name '" + name + "' must be non-empty, without '=' or NUL");
            }
            if (value.indexOf('\0') >= 0) {
              throw new IllegalArgumentException(
                  "environment value of " + name + " contains a NUL character");
            }
            copy.put(name, value);
          });
      environment = Collections.unmodifiableMap(copy);
      requireNonNull(stdout, "stdout");
      requireNonNull(stderr, "stderr");
      requireNonNull(stdin, "stdin");
    }

    /** A Start with an empty stdin. */
    public Start(
        List<String> command,
        @Nullable Path workingDirectory,
        Map<String, String> environment,
        Output stdout,
        Output stderr) {
      this(command, workingDirectory, environment, stdout, stderr, Input.empty());
    }

    /** Starts {@code command} in this JVM's directory and environment, capturing its output. */
    public static Start of(String... command) {
      return of(List.of(command));
    }

    /** Starts {@code command} in this JVM's directory and environment, capturing its output. */
    public static Start of(List<String> command) {
      return new Start(command, null, Map.of(), Output.capture(), Output.capture());
    }

    /** This command run in {@code directory}. */
    public Start inDirectory(Path directory) {
      return new Start(
          command, requireNonNull(directory, "directory"), environment, stdout, stderr, stdin);
    }

    /** This command with {@code variables} added to the environment. */
    public Start withEnvironment(Map<String, String> variables) {
      Map<String, String> merged = new LinkedHashMap<>(environment);
      merged.putAll(variables);
      return new Start(command, workingDirectory, merged, stdout, stderr, stdin);
    }

    /** This command with its standard output going to {@code output}. */
    public Start withStdout(Output output) {
      return new Start(command, workingDirectory, environment, output, stderr, stdin);
    }

    /** This command with its standard error going to {@code output}. */
    public Start withStderr(Output output) {
      return new Start(command, workingDirectory, environment, stdout, output, stdin);
    }

    /** This command with its standard input coming from {@code input}. */
    public Start withStdin(Input input) {
      return new Start(command, workingDirectory, environment, stdout, stderr, input);
    }

    /** Whether any of stdin, stdout and stderr is a pipe to the starting process. */
    public boolean usesPipes() {
      return stdin instanceof Input.FromPipe
          || stdout instanceof Output.ToPipe
          || stderr instanceof Output.ToPipe;
    }

    /** The program: the first element of {@link #command()}. */
    public String program() {
      return command.getFirst();
    }

    @Override
    public CommandId commandId() {
      return START;
    }
  }

  /**
   * Waits for the OS process to exit and completes with its {@link ExitStatus}. Like Python's
   * {@code subprocess.run(..., check=True)}, a non-zero exit code is a failure: the completion's
   * error is a {@link NonZeroExitException} that carries the status (output included). With {@code
   * checkExitCode} false, any exit code completes normally.
   *
   * <p>The id stays valid after the exit: the status is kept, and every wait after the exit
   * completes with it (each with {@code checkExitCode}'s semantics), until the owner ends. So a
   * wait whose deadline passed can be followed by {@link Kill} and another wait. Each exited
   * program's status (with up to two capture limits of output) is held until its owner ends: a
   * long-lived owner that starts many programs should start them from a short-lived process (for
   * example {@code Processes.Exec} of a coroutine that starts and waits), or capture less. Waiting
   * blocks no thread; if the wait's deadline passes, the wait stops (the program keeps running); if
   * the waiting process ends first, the wait stops and the OS process is killed, since its owner is
   * gone.
   *
   * <p>Errors: {@link NonZeroExitException}; {@link dev.baton.modules.HandleNotFoundException} if
   * the caller does not own {@code id} (never started, or another process's).
   *
   * @param id the process to wait for
   * @param checkExitCode whether a non-zero exit code fails the command (true by default)
   */
  public record ProcessWait(ExecId id, boolean checkExitCode) implements Command<ExitStatus> {
    /** Requires an id. */
    public ProcessWait {
      requireNonNull(id, "id");
    }

    /** Waits for {@code id}, failing on a non-zero exit code. */
    public ProcessWait(ExecId id) {
      this(id, true);
    }

    @Override
    public CommandId commandId() {
      return PROCESS_WAIT;
    }
  }

  /**
   * Kills the OS process and its descendants: politely ({@code SIGTERM} on Unix) or, with {@code
   * forcibly}, at once ({@code SIGKILL}). Completes with whether the process was still running. The
   * id stays valid: a {@link ProcessWait} after it reports the exit (on Unix, exit code 128 + the
   * signal's number: 143 for SIGTERM, 137 for SIGKILL, as a {@link NonZeroExitException} when
   * checked, with {@link ExitStatus#killed()} true unless the program trapped SIGTERM and exited
   * its own way). Kill does not release the id: the status stays for waits until the owner ends.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} if the caller does not own {@code
   * id}.
   *
   * @param id the process to kill
   * @param forcibly whether to kill at once rather than ask it to stop
   */
  public record Kill(ExecId id, boolean forcibly) implements Command<Boolean> {
    /** Requires an id. */
    public Kill {
      requireNonNull(id, "id");
    }

    @Override
    public CommandId commandId() {
      return KILL;
    }
  }
}
