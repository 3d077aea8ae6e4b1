package dev.baton.modules.stream;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * What a module hands to a process as a stream (SPI): a byte channel that may be readable, writable
 * and seekable. The exec module registers process pipes, the http module response bodies, a socket
 * module its connections, each through {@link StreamTable#open}.
 *
 * <p><b>Threading.</b> The stream module calls {@link #read}, {@link #write}, {@link #position},
 * {@link #size} and {@link #flush} from virtual threads, one call at a time per stream; {@link
 * #close} may come from any thread at any time, also while a read blocks, and must make that read
 * return or throw (as {@link java.nio.channels.InterruptibleChannel}s do). Implementations need not
 * be otherwise thread-safe.
 */
public interface StreamResource extends AutoCloseable {
  /** Whether {@link #read} works. */
  boolean readable();

  /** Whether {@link #write} works. */
  boolean writable();

  /** Whether {@link #position(long)} works. */
  default boolean seekable() {
    return false;
  }

  /**
   * Reads into {@code into}; returns the bytes read, or -1 at the end. May block.
   *
   * @throws IOException if the read failed
   */
  int read(ByteBuffer into) throws IOException;

  /**
   * Writes from {@code from}; returns the bytes written. May block.
   *
   * @throws IOException if the write failed
   */
  int write(ByteBuffer from) throws IOException;

  /**
   * The position, for seekable streams. The module calls it only when {@link #seekable()} is true
   * (a Seek on any other stream fails with {@link StreamOperationException}); the default, for
   * streams that are not seekable, therefore never runs and throws if called directly.
   *
   * @throws IOException if the stream failed
   */
  default long position() throws IOException {
    throw new UnsupportedOperationException("not seekable");
  }

  /**
   * Moves the position, for seekable streams; called only when {@link #seekable()} is true, like
   * {@link #position()}.
   *
   * @throws IOException if the stream failed
   */
  default void position(long position) throws IOException {
    throw new UnsupportedOperationException("not seekable");
  }

  /**
   * The size in bytes, or -1 if unknown.
   *
   * @throws IOException if the stream failed
   */
  default long size() throws IOException {
    return -1;
  }

  /**
   * Pushes written bytes to their destination.
   *
   * @throws IOException if that failed
   */
  default void flush() throws IOException {}

  /** Whether {@link #closeOutput()} works: the stream has two directions (a socket). */
  default boolean halfClosable() {
    return false;
  }

  /**
   * Closes only the sending direction (the peer reads the end of the stream); reading goes on.
   * Called only when {@link #halfClosable()} is true; the default throws.
   *
   * @throws IOException if that failed
   */
  default void closeOutput() throws IOException {
    throw new UnsupportedOperationException("not half-closable");
  }

  /** Whether the stream is still open. */
  boolean isOpen();

  /**
   * Closes the stream, releasing what it holds; idempotent.
   *
   * @throws IOException if closing failed (the stream counts as closed anyway)
   */
  @Override
  void close() throws IOException;

  /**
   * A two-way stream over a connected socket: readable, writable, half-closable; closing it closes
   * the connection and ends a blocked read.
   */
  static StreamResource socket(SocketChannel channel) {
    return new SocketResource(requireNonNull(channel, "channel"));
  }

  /**
   * A read-only stream over {@code input} (a program's output, a response body). Closing it closes
   * {@code input}; whether that ends a read blocked on it depends on the stream (a program's pipe:
   * not before the program writes or exits).
   */
  static StreamResource readable(InputStream input) {
    return readable(Channels.newChannel(requireNonNull(input, "input")));
  }

  /**
   * A write-only stream over {@code output} (a program's stdin); Flush flushes it, Close closes it.
   */
  static StreamResource writable(OutputStream output) {
    return new OutputStreamResource(requireNonNull(output, "output"));
  }

  /** A read-only stream over {@code channel} (a pipe's source, a socket's input, a body). */
  static StreamResource readable(ReadableByteChannel channel) {
    return new ChannelResource(requireNonNull(channel, "channel"), true, false, false);
  }

  /** A write-only stream over {@code channel} (a pipe's sink, a process's stdin). */
  static StreamResource writable(WritableByteChannel channel) {
    return new ChannelResource(requireNonNull(channel, "channel"), false, true, false);
  }

  /**
   * A seekable stream over a file channel (or any {@link SeekableByteChannel}); {@link #flush}
   * forces a {@link FileChannel}'s content to its device.
   */
  static StreamResource seekable(SeekableByteChannel channel, boolean readable, boolean writable) {
    return new ChannelResource(requireNonNull(channel, "channel"), readable, writable, true);
  }
}
