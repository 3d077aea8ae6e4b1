package dev.baton.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * CPU time of processes, read from {@code /proc} through {@link ProcessHandle}, and the process
 * that listens on a TCP port of this machine (the broker servers the remote-task benchmark runs
 * against: {@code redis-server} on 6379, RabbitMQ's {@code beam.smp} on 5672). Linux only; on other
 * systems every reading is empty and the reports say so.
 */
final class ProcessCpu {
  private ProcessCpu() {}

  /** User plus system CPU time the process has used so far, in seconds; NaN if unreadable. */
  static double seconds(ProcessHandle process) {
    Optional<Duration> cpu = process.info().totalCpuDuration();
    return cpu.map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  /** CPU seconds of the process {@code pid}; NaN if it is gone or unreadable. */
  static double seconds(long pid) {
    return ProcessHandle.of(pid).map(ProcessCpu::seconds).orElse(Double.NaN);
  }

  /** Formats CPU seconds with two decimals, or {@code n/a}. */
  static String format(double seconds) {
    return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.2f", seconds);
  }

  /**
   * The process listening on TCP {@code port} (IPv4 or IPv6, any address), found by the socket's
   * inode in {@code /proc/net/tcp*} and the file descriptors of {@code /proc/<pid>/fd}; empty if
   * none is found or {@code /proc} cannot be read (another user's process without root).
   */
  static OptionalLong listenerOf(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table), US_ASCII)) {
          String[] f = line.trim().split("\\s+", -1);
          // sl local_address rem_address st ... inode (field 9); st 0A is LISTEN
          if (f.length > 9 && f[3].equals("0A")) {
            String local = f[1];
            int colon = local.lastIndexOf(':');
            if (colon > 0 && Integer.parseInt(local.substring(colon + 1), 16) == port) {
              inodes.add("socket:[" + f[9] + "]");
            }
          }
        }
      } catch (IOException | RuntimeException _) {
        // no such table (no IPv6) or not Linux
      }
    }
    if (inodes.isEmpty()) {
      return OptionalLong.empty();
    }
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
              }
            } catch (IOException _) {
              // the descriptor closed while we looked
            }
          }
        } catch (IOException _) {
          // the process ended, or its descriptors are not ours to read
        }
      }
    } catch (IOException _) {
      // no /proc
    }
    return OptionalLong.empty();
  }
}
