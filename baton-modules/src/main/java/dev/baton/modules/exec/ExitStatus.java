package dev.baton.modules.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How an OS process ended, with what it wrote.
 *
 * @param exitCode the exit code; on Unix a process killed by a signal reports 128 + the signal's
 *     number (137 for SIGKILL, 143 for SIGTERM)
 * @param stdout the captured standard output (empty unless captured), at most the capture limit
 * @param stderr the captured standard error (empty unless captured), at most the capture limit
 * @param stdoutTruncated whether standard output had more than was kept: true when it exceeded the
 *     limit; when a descendant still held the pipe open after the program exited, best-effort (the
 *     late output is left out, but the flag may stay false if the JDK closed the pipe first)
 * @param stderrTruncated the same for standard error
 * @param duration from the start to the exit, in real time
 * @param killed whether {@link Exec.Kill} ended it: after a forcible kill, or after a polite one
 *     whose exit shows SIGTERM (code 143); a program that traps SIGTERM and exits its own way was
 *     not killed
 */
// The arrays are private copies made once when the process exited and handed over: nobody else
// holds them, and a record of byte arrays keeps the output exact (binary output survives).
@SuppressWarnings("ArrayRecordComponent")
public record ExitStatus(
    int exitCode,
    byte[] stdout,
    byte[] stderr,
    boolean stdoutTruncated,
    boolean stderrTruncated,
    Duration duration,
    boolean killed) {

  /** Returns whether the exit code is 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The captured standard output decoded as UTF-8 (malformed bytes replaced). */
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  /** The captured standard error decoded as UTF-8 (malformed bytes replaced). */
  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ExitStatus[exitCode="
        + exitCode
        + ", stdout="
        + stdout.length
        + (stdoutTruncated ? "+ bytes (truncated)" : " bytes")
        + ", stderr="
        + stderr.length
        + (stderrTruncated ? "+ bytes (truncated)" : " bytes")
        + ", duration="
        + duration
        + (killed ? ", killed" : "")
        + "]";
  }
}
