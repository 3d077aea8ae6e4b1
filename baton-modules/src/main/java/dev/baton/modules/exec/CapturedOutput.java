package dev.baton.modules.exec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One output stream of a program, read to its end on a virtual thread into a bounded buffer.
 *
 * <p>The reader keeps the first {@code limit} bytes and reads and discards the rest, so the program
 * never blocks on a full pipe. {@link #done()} completes when the stream ends (the program and
 * every descendant holding the pipe closed it) or fails to read. {@link #snapshot()} may be taken
 * at any time, from any thread; taken before {@link #done()}, it reports the output as truncated,
 * since more may come.
 */
final class CapturedOutput {
  private final int limit;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  @GuardedBy("this")
  private byte[] kept = new byte[0];

  @GuardedBy("this")
  private int size;

  @GuardedBy("this")
  private boolean overflowed;

  private CapturedOutput(int limit) {
    this.limit = limit;
  }

  /** Starts reading {@code stream} on a virtual thread named {@code name}. */
  static CapturedOutput read(InputStream stream, int limit, String name) {
    CapturedOutput output = new CapturedOutput(limit);
    Thread.ofVirtual().name(name).start(() -> output.drain(stream));
    return output;
  }

  /** An output that was never captured: empty and done. */
  static CapturedOutput none() {
    CapturedOutput output = new CapturedOutput(0);
    output.done.complete(null);
    return output;
  }

  /** Completes when the stream has been read to its end. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** What was kept so far, and whether anything was (or may still be) left out. */
  synchronized Snapshot snapshot() {
    return new Snapshot(Arrays.copyOf(kept, size), overflowed || !done.isDone());
  }

  private void drain(InputStream stream) {
    byte[] chunk = new byte[8192];
    try (stream) {
      int read;
      while ((read = stream.read(chunk)) >= 0) {
        append(chunk, read);
      }
    } catch (IOException closed) {
      // The stream was closed under the reader (the module stopped); what was read stays.
    } finally {
      done.complete(null);
    }
  }

  private synchronized void append(byte[] chunk, int length) {
    int room = limit - size;
    if (length > room) {
      overflowed = true;
    }
    int taken = Math.min(room, length);
    if (taken <= 0) {
      return;
    }
    if (size + taken > kept.length) {
      kept = Arrays.copyOf(kept, Math.min(limit, Math.max(size + taken, kept.length * 2)));
    }
    System.arraycopy(chunk, 0, kept, size, taken);
    size += taken;
  }

  /**
   * What was kept.
   *
   * @param bytes a private copy
   * @param truncated whether more was written than kept
   */
  @SuppressWarnings("ArrayRecordComponent") // a private copy handed over once to ExitStatus
  record Snapshot(byte[] bytes, boolean truncated) {}
}
