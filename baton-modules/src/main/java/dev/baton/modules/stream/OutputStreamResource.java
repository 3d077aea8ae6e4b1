package dev.baton.modules.stream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A write-only {@link StreamResource} over an {@link OutputStream} (a program's stdin). Writes and
 * flushes run one at a time (the stream module's queue).
 *
 * <p><b>Close never blocks.</b> The JDK's process stdin is a {@code BufferedOutputStream}: its
 * {@code close()} flushes under the monitor that a blocked write holds, so a close racing a write
 * stuck on a full pipe (a program that does not read) would wait as long as the write, and the
 * owner's end closes streams on the thread that cancels it. So {@link #close} closes at once only
 * if no write or flush is running ({@link #busy} is free); otherwise it hands the close to a
 * virtual thread that runs it when the write ends (the program reads, or dies: the owner's end
 * kills it) and returns at once. {@link #busy} is held by each write and flush and by a close that
 * got it, so a write that starts after close finds the stream closed.
 */
final class OutputStreamResource implements StreamResource {
  private final OutputStream output;
  private final ReentrantLock busy = new ReentrantLock();
  private volatile boolean open = true;

  OutputStreamResource(OutputStream output) {
    this.output = output;
  }

  @Override
  public boolean readable() {
    return false;
  }

  @Override
  public boolean writable() {
    return true;
  }

  @Override
  public int read(ByteBuffer into) {
    throw new UnsupportedOperationException("not readable");
  }

  @Override
  public int write(ByteBuffer from) throws IOException {
    busy.lock();
    try {
      return writeLocked(from);
    } finally {
      busy.unlock();
    }
  }

  private int writeLocked(ByteBuffer from) throws IOException {
    if (!open) {
      throw new IOException("the stream is closed");
    }
    int n = from.remaining();
    if (from.hasArray()) {
      output.write(from.array(), from.arrayOffset() + from.position(), n);
      from.position(from.limit());
    } else {
      byte[] bytes = new byte[n];
      from.get(bytes);
      output.write(bytes);
    }
    // Every Write reaches the reader: a process talking to a program must not find its line
    // waiting in a buffer.
    output.flush();
    return n;
  }

  @Override
  public void flush() throws IOException {
    busy.lock();
    try {
      if (!open) {
        throw new IOException("the stream is closed");
      }
      output.flush();
    } finally {
      busy.unlock();
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    open = false;
    if (busy.tryLock()) {
      try {
        output.close();
      } finally {
        busy.unlock();
      }
      return;
    }
    // A write holds it, perhaps blocked on a full pipe: close once it ends, without waiting here.
    var _ =
        Thread.ofVirtual()
            .name("stream-close-after-write")
            .start(
                () -> {
                  busy.lock();
                  try {
                    output.close();
                  } catch (IOException e) {
                    // Closed either way (a broken pipe when the program is gone).
                  } finally {
                    busy.unlock();
                  }
                });
  }
}
