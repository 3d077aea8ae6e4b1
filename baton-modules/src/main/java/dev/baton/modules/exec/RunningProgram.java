package dev.baton.modules.exec;

import dev.baton.modules.exec.Exec.Output;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One started OS process: the JDK {@link Process}, its captured output and its eventual {@link
 * ExitStatus}.
 *
 * <p><b>Design.</b> Nothing here blocks a thread while the program runs: the exit arrives through
 * {@link Process#onExit()}, and captured output is read by one virtual thread per stream ({@link
 * CapturedOutput}). After the exit, the status waits for both readers to reach the end of their
 * streams, at most {@link #OUTPUT_GRACE}: a descendant that inherited the pipe and outlives the
 * program would otherwise hold the status back forever; its late output is left out and the stream
 * reported truncated. {@link #exit()} completes once, on the JDK's process-reaper thread (or the
 * timer thread of {@link CompletableFuture#completeOnTimeout}). Thread-safe.
 */
final class RunningProgram {
  /** How long the status waits, after the exit, for output still in the pipes. */
  static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

  private final String program;
  private final Process process;
  private final CompletableFuture<ExitStatus> exit;
  private volatile boolean killed;

  private RunningProgram(
      String program,
      Process process,
      CapturedOutput stdout,
      CapturedOutput stderr,
      long startNanos) {
    this.program = program;
    this.process = process;
    this.exit =
        process
            .onExit()
            .thenCompose(
                exited -> {
                  // An OS process runs in real time, whatever clock the node uses.
                  Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
                  return CompletableFuture.allOf(stdout.done(), stderr.done())
                      .completeOnTimeout(null, OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                      .thenApply(_ -> status(exited.exitValue(), stdout, stderr, duration));
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
    builder.redirectOutput(redirect(start.stdout()));
    builder.redirectError(redirect(start.stderr()));
    long startNanos = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ExecStartException(
          program,
          e.getMessage() + " (is it installed, on PATH and executable? no shell runs the command)",
          e);
    }
    try {
      process.getOutputStream().close(); // stdin is empty
    } catch (IOException ignored) {
      // The program may already have exited; its stdin does not matter then.
    }
    CapturedOutput stdout =
        start.stdout() instanceof Output.Capture capture
            ? CapturedOutput.read(
                process.getInputStream(), capture.limitBytes(), threadPrefix + "-stdout")
            : CapturedOutput.none();
    CapturedOutput stderr =
        start.stderr() instanceof Output.Capture capture
            ? CapturedOutput.read(
                process.getErrorStream(), capture.limitBytes(), threadPrefix + "-stderr")
            : CapturedOutput.none();
    return new RunningProgram(program, process, stdout, stderr, startNanos);
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
    killed = true;
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
    return new ExitStatus(
        exitCode, out.bytes(), err.bytes(), out.truncated(), err.truncated(), duration, killed);
  }

  private static ProcessBuilder.Redirect redirect(Output output) {
    return switch (output) {
      case Output.Capture _ -> ProcessBuilder.Redirect.PIPE;
      case Output.Discard _ -> ProcessBuilder.Redirect.DISCARD;
      case Output.Inherit _ -> ProcessBuilder.Redirect.INHERIT;
      case Output.ToFile file ->
          file.append()
              ? ProcessBuilder.Redirect.appendTo(file.file().toFile())
              : ProcessBuilder.Redirect.to(file.file().toFile());
    };
  }
}
