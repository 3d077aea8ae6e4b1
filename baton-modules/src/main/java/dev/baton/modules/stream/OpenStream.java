package dev.baton.modules.stream;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream in the {@link StreamTable}: its resource and the queue that runs its operations.
 *
 * <p><b>Concurrency.</b> Operations run one at a time, in the order they were enqueued, on a
 * virtual thread that drains the queue and ends when it is empty (so an idle stream holds no
 * thread). The fields marked "queue-confined" are touched only by the operation running, and the
 * hand-over between operations goes through {@link #lock}, which orders them. {@link #close} runs
 * on any thread, without the queue, so it can end a read that blocks it.
 */
final class OpenStream {
  private static final Logger log = LoggerFactory.getLogger(OpenStream.class);
  private static final byte[] NONE = new byte[0];

  final long id;
  final StreamResource resource;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

  @GuardedBy("lock")
  private boolean draining;

  private volatile boolean closed;

  /** Queue-confined: bytes a cancelled Read got after its caller stopped waiting, read first. */
  private byte[] pushback = NONE;

  /** Queue-confined: bytes read plus written, the position of a stream that has none. */
  private long transferred;

  OpenStream(long id, StreamResource resource) {
    this.id = id;
    this.resource = resource;
  }

  /** Runs {@code operation} after the ones enqueued before it, on a virtual thread. */
  void enqueue(Runnable operation) {
    synchronized (lock) {
      queue.add(operation);
      if (draining) {
        return;
      }
      draining = true;
    }
    var _ = Thread.ofVirtual().name("stream-" + id).start(this::drain);
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (lock) {
        next = queue.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        // Operations complete their own errors; this is a bug, and must not stall the queue.
        log.error("stream {}: operation failed unexpectedly", id, e);
      }
    }
  }

  /** Whether Close ran or the resource was closed underneath. */
  boolean isClosed() {
    return closed || !resource.isOpen();
  }

  /** Closes the resource; idempotent, any thread. */
  void close() {
    closed = true;
    try {
      resource.close();
    } catch (IOException e) {
      log.debug("stream {}: close failed (counts as closed)", id, e);
    }
  }

  /** Queue-confined: reads into {@code into}, pushed-back bytes first; -1 at the end. */
  int read(ByteBuffer into) throws IOException {
    if (pushback.length > 0) {
      int n = Math.min(pushback.length, into.remaining());
      into.put(pushback, 0, n);
      pushback = java.util.Arrays.copyOfRange(pushback, n, pushback.length);
      return n;
    }
    int n = resource.read(into);
    if (n > 0) {
      transferred += n;
    }
    return n;
  }

  /** Queue-confined: puts bytes back in front, for a Read nobody waited for any more. */
  void unread(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    byte[] joined = new byte[bytes.length + pushback.length];
    System.arraycopy(bytes, 0, joined, 0, bytes.length);
    System.arraycopy(pushback, 0, joined, bytes.length, pushback.length);
    pushback = joined;
  }

  /** Queue-confined: writes all of {@code bytes}. */
  long write(byte[] bytes) throws IOException {
    dropPushback();
    ByteBuffer from = ByteBuffer.wrap(bytes);
    while (from.hasRemaining()) {
      transferred += resource.write(from);
    }
    return bytes.length;
  }

  /** Queue-confined: the logical position (what was read ahead does not count). */
  long position() throws IOException {
    return resource.seekable() ? resource.position() - pushback.length : transferred;
  }

  /** Queue-confined: moves to {@code position}. */
  void seek(long position) throws IOException {
    resource.position(position);
    pushback = NONE;
  }

  /** A seekable stream's write or seek must start where the reader stopped, not where it read. */
  private void dropPushback() throws IOException {
    if (pushback.length > 0 && resource.seekable()) {
      resource.position(resource.position() - pushback.length);
      pushback = NONE;
    }
  }
}
