package dev.baton.cli.demo;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The demo's live progress: one phase at a time, with its bar, percent, count and rate.
 *
 * <p>Design: any thread counts work with {@link Phase#add(long)} (a {@link LongAdder}, so task
 * callbacks on many workers never contend on a lock); only the bar's own daemon thread and {@link
 * Phase#close()} draw, under the bar's lock. On a terminal ({@link Style#TTY}) it redraws one line
 * on the error stream with {@code \r} ten times a second and ends the phase's line when it closes;
 * otherwise ({@link Style#LINES}) it prints one line when a phase reaches 0, 50 and 100%, so logs
 * stay readable; {@link Style#OFF} draws nothing.
 */
final class ProgressBar implements AutoCloseable {
  /** How the bar draws. */
  enum Style {
    /** Redraws one line in place: for a terminal. */
    TTY,
    /** A line per phase at 0, 50 and 100%: for logs and pipes. */
    LINES,
    /** Draws nothing. */
    OFF;

    /**
     * The system property the {@code baton} launcher sets to whether stderr, where the bar draws,
     * is a terminal: the shell can test stderr itself, the JVM only stdin and stdout together.
     */
    static final String STDERR_TERMINAL = "baton.stderr.terminal";

    /** {@link #of} this JVM's {@value #STDERR_TERMINAL} property and console. */
    @SuppressWarnings("SystemConsoleNull") // null-safe on any JDK; isTerminal() is what counts
    static Style detect() {
      java.io.@Nullable Console console = System.console();
      return of(System.getProperty(STDERR_TERMINAL), console != null && console.isTerminal());
    }

    /**
     * {@link #TTY} if stderr is a terminal, else {@link #LINES}: as {@code stderrTerminal} says
     * ({@code "true"} or {@code "false"}) when it is set, else as the console says (a run without
     * the launcher), so that {@code baton demo 2> log} writes lines, not redraws, into the log.
     */
    static Style of(@Nullable String stderrTerminal, boolean consoleIsTerminal) {
      if (stderrTerminal != null) {
        return Boolean.parseBoolean(stderrTerminal.strip()) ? TTY : LINES;
      }
      return consoleIsTerminal ? TTY : LINES;
    }
  }

  private static final int WIDTH = 24;
  private static final long REDRAW_MILLIS = 100;

  private final PrintWriter err;
  private final Style style;
  private final @Nullable ScheduledExecutorService redraw;

  @GuardedBy("this")
  private @Nullable Phase current;

  /** The last of 0, 50, 100 printed for the current phase in {@link Style#LINES}; -1 for none. */
  @GuardedBy("this")
  private int lastMark = -1;

  /** A bar drawing on {@code err} in {@code style}. */
  ProgressBar(PrintWriter err, Style style) {
    this.err = err;
    this.style = style;
    if (style == Style.OFF) {
      this.redraw = null;
    } else {
      ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "baton-demo-progress");
                thread.setDaemon(true);
                return thread;
              });
      var _ =
          executor.scheduleAtFixedRate(
              this::tick, REDRAW_MILLIS, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
      this.redraw = executor;
    }
  }

  /**
   * Starts a phase of {@code total} units (the previous one should be closed first).
   *
   * @throws IllegalArgumentException if {@code total} is negative
   */
  synchronized Phase start(String name, long total) {
    if (total < 0) {
      throw new IllegalArgumentException("a phase's total must not be negative, was " + total);
    }
    Phase phase = new Phase(name, total);
    current = phase;
    lastMark = -1;
    draw(phase, false);
    return phase;
  }

  private synchronized void tick() {
    Phase phase = current;
    if (phase != null) {
      draw(phase, false);
    }
  }

  @GuardedBy("this")
  private void draw(Phase phase, boolean finished) {
    long done = phase.count.sum();
    int percent = phase.total == 0 ? 100 : (int) (Math.min(done, phase.total) * 100 / phase.total);
    switch (style) {
      case OFF -> {}
      case TTY -> {
        err.print("\r" + line(phase, done, percent) + "  ");
        if (finished) {
          err.println();
        }
        err.flush();
      }
      case LINES -> {
        int mark = finished ? 100 : percent >= 50 ? 50 : 0;
        if (mark > lastMark) {
          lastMark = mark;
          err.println(line(phase, done, percent));
          err.flush();
        }
      }
    }
  }

  private static String line(Phase phase, long done, int percent) {
    int filled = (int) ((long) WIDTH * percent / 100);
    double seconds = Math.max(1e-9, (System.nanoTime() - phase.startNanos) / 1e9);
    return String.format(
        Locale.ROOT,
        "%-10s [%s%s] %3d%%  %,d/%,d  %s/s",
        phase.name,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        percent,
        done,
        phase.total,
        rate(done / seconds));
  }

  /** A rate with a k or M suffix: {@code 950}, {@code 12.3k}, {@code 2.87M}. */
  static String rate(double perSecond) {
    if (perSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", perSecond / 1e6);
    }
    if (perSecond >= 1e4) {
      return String.format(Locale.ROOT, "%.1fk", perSecond / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", perSecond);
  }

  /** Stops redrawing. Idempotent. */
  @Override
  public void close() {
    if (redraw != null) {
      redraw.shutdownNow();
    }
  }

  /** One phase: counts its units and, once closed, knows how long it took. */
  final class Phase implements AutoCloseable {
    private final String name;
    private final long total;
    private final LongAdder count = new LongAdder();
    private final long startNanos = System.nanoTime();

    /** Set once, by {@link #close()}; -1 while open. */
    private volatile long elapsedNanos = -1;

    private Phase(String name, long total) {
      this.name = name;
      this.total = total;
    }

    /** Counts {@code units} more done; any thread. */
    void add(long units) {
      count.add(units);
    }

    /** Counts one more done; any thread. */
    void step() {
      count.increment();
    }

    /** How many were counted. */
    long count() {
      return count.sum();
    }

    /** Nanoseconds from start to {@link #close()}, or to now while open. */
    long elapsedNanos() {
      long elapsed = elapsedNanos;
      return elapsed >= 0 ? elapsed : System.nanoTime() - startNanos;
    }

    /** Ends the phase: draws its final line (with what was counted) and stops redrawing it. */
    @Override
    public void close() {
      synchronized (ProgressBar.this) {
        if (elapsedNanos >= 0) {
          return;
        }
        elapsedNanos = System.nanoTime() - startNanos;
        if (current == this) {
          current = null;
        }
        draw(this, true);
      }
    }
  }
}
