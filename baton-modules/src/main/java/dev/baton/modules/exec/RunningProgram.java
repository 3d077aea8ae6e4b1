package dev.baton.modules.exec;

import dev.baton.modules.exec.Exec.Output;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One started OS process: the JDK {@link Process}, its captured output and its eventual {@link
 * ExitStatus}.
 *
 * <p><b>Design.</b> Nothing here blocks a thread while the program runs: the exit arrives through
 * {@link Process#onExit()}, and captured output is read by one virtual thread per stream ({@link
 * CapturedOutput}). After the exit, the status waits for both readers to reach the end of their
 * streams, at most {@link #OUTPUT_GRACE}: a descendant that inherited the pipe and outlives the
 * program would otherwise hold the status back forever. When the grace runs out, both streams are
 * closed, so a later read fails at once and the reader ends; a read already blocked in the OS may
 * stay blocked (the JDK does not interrupt it) until the descendant writes or exits. Descendants
 * that outlive the program are not tracked: once the program has exited they belong to nobody here.
 * Whether late output is flagged as truncated is best-effort (the JDK itself drains a pipe when the
 * program exits, racing the reader). {@link #exit()} completes once, on the JDK's process-reaper
 * thread (or the timer thread of {@link CompletableFuture#completeOnTimeout}), and keeps its status
 * for every later wait. Thread-safe.
 */
final class RunningProgram {
  /** How long the status waits, after the exit, for output still in the pipes. */
  static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

  private final String program;
  private final Process process;
  private final CompletableFuture<ExitStatus> exit;
  private final @Nullable InputStream stdoutStream;
  private final @Nullable InputStream stderrStream;

  /** Set by a forcible kill (SIGKILL cannot be ignored, so the exit is the kill's). */
  private volatile boolean killedForcibly;

  /**
   * Set by a polite kill; it counts only if the exit code shows SIGTERM (the program may trap it).
   */
  private volatile boolean askedToStop;

  private RunningProgram(
      String program,
      Process process,
      @Nullable InputStream stdoutStream,
      @Nullable InputStream stderrStream,
      CapturedOutput stdout,
      CapturedOutput stderr,
      long startNanos) {
    this.program = program;
    this.process = process;
    this.stdoutStream = stdoutStream;
    this.stderrStream = stderrStream;
    this.exit =
        process
            .onExit()
            .thenCompose(
                exited -> {
                  // An OS process runs in real time, whatever clock the node uses.
                  Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
                  CompletableFuture<Void> bothRead =
                      CompletableFuture.allOf(stdout.done(), stderr.done());
                  return bothRead
                      .copy()
                      .completeOnTimeout(null, OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                      .thenApply(
                          _ -> {
                            if (!bothRead.isDone()) {
                              closeStreams(); // a descendant holds a pipe: let the reader go
                            }
                            return status(exited.exitValue(), stdout, stderr, duration);
                          });
                });
  }

  /**
   * Starts {@code start}'s program.
   *
   * @throws ExecStartException if it could not start
   */
  static RunningProgram launch(Exec.Start start, String threadPrefix) {
    String program = start.program();
    ProcessBuilder builder = new ProcessBuilder(start.command());
    Path directory = start.workingDirectory();
    if (directory != null) {
      if (!Files.isDirectory(directory)) {
        throw new ExecStartException(
            program,
            "the working directory " + directory + " does not exist or is not a directory",
            null);
      }
      builder.directory(directory.toFile());
    }
    builder.environment().putAll(start.environment());
    checkParentDirectory(program, start.stdout());
    checkParentDirectory(program, start.stderr());
    if (start.stdin() instanceof Exec.Input.FromFile file) {
      if (!Files.isReadable(file.file())) {
        throw new ExecStartException(
            program, "the input file " + file.file() + " does not exist or is not readable", null);
      }
      builder.redirectInput(ProcessBuilder.Redirect.from(file.file().toFile()));
    }
    builder.redirectOutput(redirect(start.stdout()));
    builder.redirectError(redirect(start.stderr()));
    long startNanos = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      // ProcessBuilder wraps every failure as "Cannot run program": the cause tells an output file
      // that could not be opened from a program that could not be run.
      String hint =
          e.getCause() instanceof FileNotFoundException
              ? " (an output file could not be opened)"
              : " (is it installed, on PATH and executable? no shell runs the command)";
      throw new ExecStartException(program, e.getMessage() + hint, e);
    }
    if (start.stdin() instanceof Exec.Input.Empty) {
      try {
        process.getOutputStream().close(); // stdin is empty
      } catch (IOException ignored) {
        // The program may already have exited; its stdin does not matter then.
      }
    }
    InputStream stdoutStream =
        start.stdout() instanceof Output.Capture ? process.getInputStream() : null;
    InputStream stderrStream =
        start.stderr() instanceof Output.Capture ? process.getErrorStream() : null;
    CapturedOutput stdout =
        start.stdout() instanceof Output.Capture capture && stdoutStream != null
            ? CapturedOutput.read(stdoutStream, capture.limitBytes(), threadPrefix + "-stdout")
            : CapturedOutput.none();
    CapturedOutput stderr =
        start.stderr() instanceof Output.Capture capture && stderrStream != null
            ? CapturedOutput.read(stderrStream, capture.limitBytes(), threadPrefix + "-stderr")
            : CapturedOutput.none();
    return new RunningProgram(
        program, process, stdoutStream, stderrStream, stdout, stderr, startNanos);
  }

  /**
   * Fails before the fork if a file output's directory is missing, naming the file (the JDK would
   * report it as a program that cannot run).
   */
  private static void checkParentDirectory(String program, Output output) {
    if (output instanceof Output.ToFile file) {
      Path parent = file.file().toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new ExecStartException(
            program,
            "the output file "
                + file.file()
                + " cannot be created: its directory "
                + parent
                + " does not exist",
            null);
      }
    }
  }

  /**
   * Closes the captured streams, for when nobody will wait for more output (the grace ran out, or
   * the module stopped). A reader not blocked in the OS ends at once; see the class comment.
   */
  void closeStreams() {
    for (InputStream stream : new InputStream[] {stdoutStream, stderrStream}) {
      if (stream != null) {
        try {
          stream.close();
        } catch (IOException ignored) {
          // Nothing to do: the stream is unusable either way, which is the point.
        }
      }
    }
  }

  /** The pipe to the program's stdin (meaningful only for {@link Exec.Input#pipe()}). */
  OutputStream stdinPipe() {
    return process.getOutputStream();
  }

  /** The pipe from the program's stdout (meaningful only for {@link Output#pipe()}). */
  InputStream stdoutPipe() {
    return process.getInputStream();
  }

  /** The pipe from the program's stderr (meaningful only for {@link Output#pipe()}). */
  InputStream stderrPipe() {
    return process.getErrorStream();
  }

  String program() {
    return program;
  }

  /** Completes with the status once the program exited and its output was read. */
  CompletableFuture<ExitStatus> exit() {
    return exit;
  }

  /** The OS process, for tests and logs. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /**
   * Kills the program and its descendants (found before the program dies: once it is gone they are
   * reparented and no longer its descendants). The program goes first, so a shell does not go on to
   * its next command when its child dies.
   *
   * @return whether the program was still running
   */
  boolean kill(boolean forcibly) {
    if (!process.isAlive()) {
      return false;
    }
    if (forcibly || !process.supportsNormalTermination()) {
      killedForcibly = true;
    } else {
      askedToStop = true;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    if (forcibly) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    for (ProcessHandle descendant : descendants) {
      if (forcibly) {
        descendant.destroyForcibly();
      } else {
        descendant.destroy();
      }
    }
    return true;
  }

  private ExitStatus status(
      int exitCode, CapturedOutput stdout, CapturedOutput stderr, Duration duration) {
    CapturedOutput.Snapshot out = stdout.snapshot();
    CapturedOutput.Snapshot err = stderr.snapshot();
    // A polite kill counts only if the exit shows SIGTERM (15): a program that traps it and exits
    // its own way was not killed.
    boolean killed = killedForcibly || (askedToStop && exitCode == 128 + 15);
    return new ExitStatus(
        exitCode, out.bytes(), err.bytes(), out.truncated(), err.truncated(), duration, killed);
  }

  private static ProcessBuilder.Redirect redirect(Output output) {
    return switch (output) {
      case Output.Capture _, Output.ToPipe _ -> ProcessBuilder.Redirect.PIPE;
      case Output.Discard _ -> ProcessBuilder.Redirect.DISCARD;
      case Output.Inherit _ -> ProcessBuilder.Redirect.INHERIT;
      case Output.ToFile file ->
          file.append()
              ? ProcessBuilder.Redirect.appendTo(file.file().toFile())
              : ProcessBuilder.Redirect.to(file.file().toFile());
    };
  }
}
