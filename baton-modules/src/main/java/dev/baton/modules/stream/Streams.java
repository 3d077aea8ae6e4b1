package dev.baton.modules.stream;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The stream module's commands (ids 50-59), their handles and results. Every record is immutable
 * and thread-safe; constructors throw {@link NullPointerException} or {@link
 * IllegalArgumentException} naming the bad field.
 */
public final class Streams {
  /** {@link Read}. */
  public static final CommandId READ = CommandId.of(50);

  /** {@link Write}. */
  public static final CommandId WRITE = CommandId.of(51);

  /** {@link Close}. */
  public static final CommandId CLOSE = CommandId.of(52);

  /** {@link Seek}. */
  public static final CommandId SEEK = CommandId.of(53);

  /** {@link Flush}. */
  public static final CommandId FLUSH = CommandId.of(54);

  /** {@link Stat}. */
  public static final CommandId STAT = CommandId.of(55);

  /** {@link ScannerCreate}. */
  public static final CommandId SCANNER_CREATE = CommandId.of(56);

  /** {@link ScannerScan}. */
  public static final CommandId SCANNER_SCAN = CommandId.of(57);

  /** {@link OpenFile} (not in the seed, which opened files elsewhere; a free id of the range). */
  public static final CommandId OPEN_FILE = CommandId.of(58);

  /**
   * {@link Connect}: a TCP connection as a stream (not in the seed, which had no sockets; the last
   * id of the range).
   */
  public static final CommandId CONNECT = CommandId.of(59);

  /** How long a {@link Connect} waits for the connection by default: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The chunk size of a Read with size 0, and of scanners by default: 32 KiB. */
  public static final int DEFAULT_READ_SIZE = 32 * 1024;

  /** The largest token a scanner accepts by default: 1 MiB. */
  public static final int DEFAULT_MAX_TOKEN = 1024 * 1024;

  private Streams() {}

  /**
   * A stream owned by the process whose command opened it.
   *
   * @param value the handle number
   */
  public record StreamId(long value) {}

  /**
   * A scanner owned by the process that created it.
   *
   * @param value the handle number
   */
  public record ScannerId(long value) {}

  /** Where a {@link Seek} offset counts from. */
  public enum Whence {
    /** From the start of the stream. */
    START,
    /** From the current position. */
    CURRENT,
    /** From the end (the current size). */
    END
  }

  /** How a scanner splits the stream into tokens. */
  public enum Split {
    /**
     * Lines, without their {@code \n} or {@code \r\n}; a last line without a newline is a token;
     * decoded as UTF-8 (malformed bytes become U+FFFD).
     */
    LINES,
    /** Runs of non-whitespace separated by ASCII whitespace; decoded as UTF-8. */
    WORDS,
    /** One byte per token. */
    BYTES
  }

  /** How {@link OpenFile} opens a file. */
  public enum OpenMode {
    /** Read access. */
    READ,
    /** Write access. */
    WRITE,
    /** Write access, every write at the end. */
    APPEND,
    /** Create the file if it does not exist. */
    CREATE,
    /** Create the file; fail if it exists. */
    CREATE_NEW,
    /** Empty the file when opening it for writing. */
    TRUNCATE
  }

  /**
   * Opens a file as a stream owned by the caller; completes with its {@link StreamId}, or fails
   * with {@link StreamOpenException} naming the path and the cause.
   *
   * @param path the file
   * @param modes at least one of READ, WRITE, APPEND
   */
  public record OpenFile(Path path, Set<OpenMode> modes) implements Command<StreamId> {
    /** Validates and copies the modes. */
    public OpenFile {
      requireNonNull(path, "path");
      requireNonNull(modes, "modes");
      if (!modes.contains(OpenMode.READ)
          && !modes.contains(OpenMode.WRITE)
          && !modes.contains(OpenMode.APPEND)) {
        throw new IllegalArgumentException("modes must contain READ, WRITE or APPEND: " + modes);
      }
      modes = Set.copyOf(modes);
    }

    /** Opens {@code path} for reading. */
    public static OpenFile read(Path path) {
      return new OpenFile(path, EnumSet.of(OpenMode.READ));
    }

    /** Opens {@code path} for writing, creating it or emptying it. */
    public static OpenFile write(Path path) {
      return new OpenFile(path, EnumSet.of(OpenMode.WRITE, OpenMode.CREATE, OpenMode.TRUNCATE));
    }

    /** Opens {@code path} for reading and writing, creating it if missing. */
    public static OpenFile readWrite(Path path) {
      return new OpenFile(path, EnumSet.of(OpenMode.READ, OpenMode.WRITE, OpenMode.CREATE));
    }

    @Override
    public CommandId commandId() {
      return OPEN_FILE;
    }
  }

  /**
   * Opens a TCP connection to {@code host}:{@code port} as a stream owned by the caller: readable
   * and writable, not seekable (Stat reports size -1 and the bytes read plus written as position),
   * Flush does nothing (every Write is handed to the operating system whole). Closing it closes
   * both directions, and a Read blocked on it ends; {@link Close#output} closes only the sending
   * direction (the peer reads the end of the stream) and keeps it readable. The connection is
   * closed when its owner ends. Completes with its {@link StreamId}, or fails with {@link
   * StreamConnectException} (refused, timed out, unknown host, unreachable). Nagle's algorithm is
   * off: a Write is sent at once.
   *
   * @param host a host name or address literal
   * @param port 1-65535
   * @param timeout how long to wait for the connection to be established (positive); the yield's
   *     own deadline, if shorter, also ends the wait
   */
  public record Connect(String host, int port, Duration timeout) implements Command<StreamId> {
    /** Validates. */
    public Connect {
      requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1-65535: " + port);
      }
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
    }

    /** Connects with {@link #DEFAULT_CONNECT_TIMEOUT}. */
    public Connect(String host, int port) {
      this(host, port, DEFAULT_CONNECT_TIMEOUT);
    }

    @Override
    public CommandId commandId() {
      return CONNECT;
    }
  }

  /**
   * Reads up to {@code maxBytes} (0 = {@link #DEFAULT_READ_SIZE}); completes with a {@link Chunk}
   * (empty with {@code eof} at the end of the stream). Blocks (off the scheduler) until some bytes
   * are there. Fails with {@link StreamOperationException} (not readable), {@link
   * StreamClosedException}, {@link StreamIoException}.
   */
  public record Read(StreamId stream, int maxBytes) implements Command<Chunk> {
    /** Validates. */
    public Read {
      requireNonNull(stream, "stream");
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
      }
    }

    /** Reads up to {@link #DEFAULT_READ_SIZE} bytes. */
    public Read(StreamId stream) {
      this(stream, 0);
    }

    @Override
    public CommandId commandId() {
      return READ;
    }
  }

  /**
   * Writes all of {@code bytes}; completes with the number written. Fails with {@link
   * StreamOperationException} (not writable), {@link StreamClosedException}, {@link
   * StreamIoException}.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and never exposed to other callers
  public record Write(StreamId stream, byte[] bytes) implements Command<Long> {
    /** Validates and copies the bytes. */
    public Write {
      requireNonNull(stream, "stream");
      bytes = requireNonNull(bytes, "bytes").clone();
    }

    /** Writes {@code text} as UTF-8. */
    public static Write text(StreamId stream, String text) {
      return new Write(stream, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public CommandId commandId() {
      return WRITE;
    }
  }

  /**
   * Closes the stream and releases its handle; completes with true. A pending Read on it ends (with
   * {@link StreamClosedException}), as do operations queued behind it and later scans of its
   * scanners (which are released when their owner ends). Close does not wait for operations queued
   * before it. (A Read blocked on a program's output pipe is the exception: the operating system
   * does not end it, so it ends when the program writes or exits.)
   *
   * <p>With {@code outputOnly} ({@link #output}), only the sending direction of a two-way stream (a
   * socket) is closed, after the operations queued before it: the peer reads the end of the stream,
   * the handle stays and stays readable, and a later Write fails with {@link StreamIoException}. On
   * a stream without two directions it fails with {@link StreamOperationException} ({@code
   * NOT_HALF_CLOSABLE}).
   *
   * @param stream the stream
   * @param outputOnly whether to close only the sending direction
   */
  public record Close(StreamId stream, boolean outputOnly) implements Command<Boolean> {
    /** Validates. */
    public Close {
      requireNonNull(stream, "stream");
    }

    /** Closes the whole stream. */
    public Close(StreamId stream) {
      this(stream, false);
    }

    /** Closes only the sending direction of {@code stream} (a socket's half-close). */
    public static Close output(StreamId stream) {
      return new Close(stream, true);
    }

    @Override
    public CommandId commandId() {
      return CLOSE;
    }
  }

  /**
   * Moves the position; completes with the new position. Fails with {@link
   * StreamOperationException} (not seekable), {@link IllegalArgumentException} if the result would
   * be negative.
   */
  public record Seek(StreamId stream, long offset, Whence whence) implements Command<Long> {
    /** Validates. */
    public Seek {
      requireNonNull(stream, "stream");
      requireNonNull(whence, "whence");
    }

    @Override
    public CommandId commandId() {
      return SEEK;
    }
  }

  /** Flushes written bytes to the device (for files, {@code force}); completes with true. */
  public record Flush(StreamId stream) implements Command<Boolean> {
    /** Validates. */
    public Flush {
      requireNonNull(stream, "stream");
    }

    @Override
    public CommandId commandId() {
      return FLUSH;
    }
  }

  /** Completes with the stream's {@link StreamInfo}. */
  public record Stat(StreamId stream) implements Command<StreamInfo> {
    /** Validates. */
    public Stat {
      requireNonNull(stream, "stream");
    }

    @Override
    public CommandId commandId() {
      return STAT;
    }
  }

  /**
   * Creates a scanner over a readable stream; completes with its {@link ScannerId}. The scanner
   * reads the stream from its current position, {@code readSize} bytes at a time, and buffers what
   * it read ahead: mixing Read and ScannerScan on one stream loses that read-ahead for Read.
   *
   * @param stream the stream
   * @param split how to split
   * @param readSize bytes per read, at least 1
   * @param maxTokenBytes longest token, at least 1; a longer one fails with {@link
   *     TokenTooLongException}
   */
  public record ScannerCreate(StreamId stream, Split split, int readSize, int maxTokenBytes)
      implements Command<ScannerId> {
    /** Validates. */
    public ScannerCreate {
      requireNonNull(stream, "stream");
      requireNonNull(split, "split");
      if (readSize < 1) {
        throw new IllegalArgumentException("readSize must be >= 1: " + readSize);
      }
      if (maxTokenBytes < 1) {
        throw new IllegalArgumentException("maxTokenBytes must be >= 1: " + maxTokenBytes);
      }
    }

    /** A scanner with the default read size and maximum token. */
    public ScannerCreate(StreamId stream, Split split) {
      this(stream, split, DEFAULT_READ_SIZE, DEFAULT_MAX_TOKEN);
    }

    @Override
    public CommandId commandId() {
      return SCANNER_CREATE;
    }
  }

  /**
   * Scans the next token; completes with a {@link Token} ({@code hasToken} false at the end). Fails
   * with {@link TokenTooLongException}, {@link StreamClosedException}, {@link StreamIoException}.
   */
  public record ScannerScan(ScannerId scanner) implements Command<Token> {
    /** Validates. */
    public ScannerScan {
      requireNonNull(scanner, "scanner");
    }

    @Override
    public CommandId commandId() {
      return SCANNER_SCAN;
    }
  }

  /**
   * What a Read returned.
   *
   * @param bytes the bytes read (empty at the end)
   * @param eof true at the end of the stream (then {@code bytes} is empty)
   */
  @SuppressWarnings("ArrayRecordComponent") // a fresh array per chunk, owned by the reader
  public record Chunk(byte[] bytes, boolean eof) {
    /** Validates. */
    public Chunk {
      requireNonNull(bytes, "bytes");
    }

    /** The bytes as UTF-8 text. */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /**
   * What Stat returned.
   *
   * @param size the size in bytes, or -1 if unknown (pipes, sockets)
   * @param position the position (seekable streams), or the bytes read plus written so far
   * @param readable whether Read works
   * @param writable whether Write works
   * @param seekable whether Seek works
   */
  public record StreamInfo(
      long size, long position, boolean readable, boolean writable, boolean seekable) {}

  /**
   * What a scan returned.
   *
   * @param bytes the token's bytes (empty when there is none)
   * @param hasToken false at the end of the stream
   */
  @SuppressWarnings("ArrayRecordComponent") // a fresh array per token, owned by the reader
  public record Token(byte[] bytes, boolean hasToken) {
    /** Validates. */
    public Token {
      requireNonNull(bytes, "bytes");
    }

    /** The token as UTF-8 text (malformed bytes become U+FFFD). */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
