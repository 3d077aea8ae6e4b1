package dev.baton.modules.stream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A write-only {@link StreamResource} over an {@link OutputStream} (a program's stdin). Writes and
 * flushes run one at a time (the stream module's queue); {@link #close} may race them, which the
 * JDK's process streams tolerate (the write then fails).
 */
final class OutputStreamResource implements StreamResource {
  private final OutputStream output;
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
    output.flush();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    open = false;
    output.close();
  }
}
