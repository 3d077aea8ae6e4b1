package dev.baton.modules.stream;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The stream module: {@link Streams.Read}, {@link Streams.Write}, {@link Streams.Close}, {@link
 * Streams.Seek}, {@link Streams.Flush}, {@link Streams.Stat}, {@link Streams.ScannerCreate}, {@link
 * Streams.ScannerScan}, {@link Streams.OpenFile} and {@link Streams.Connect}, on the streams of the
 * node's {@link StreamTable}.
 *
 * <p><b>Design.</b> Handlers never block a scheduler thread: each operation goes to its stream's
 * queue, drained by a virtual thread, so operations on one stream run one at a time in the order
 * the module received them (one process's commands arrive in the order it yielded them), and
 * blocking reads on different streams do not hold each other up. {@link Streams.Close} does not
 * queue: it closes the resource at once, which ends a read blocking the queue (that read then fails
 * with {@link StreamClosedException}, as do the operations queued behind it).
 *
 * <p><b>Cancellation.</b> A command's context is cancelled when its yield's deadline passes or its
 * caller ends; the command then completes at once with a {@link CancellationException} (which the
 * runtime drops). An operation cancelled before it ran does not run. A Read or scan already
 * blocking keeps going: when the caller ended, the owner's end closed the stream and so ends it;
 * when only the deadline passed, its bytes (or token) are kept and returned by the next Read (or
 * scan), so no data is lost. Streams and scanners belong to the process that opened or created
 * them, and are released when it ends. Thread-safe.
 *
 * <p>Boot it with {@code Dispatcher.component(new StreamModule())} and {@link
 * StreamTable#component()}.
 */
public final class StreamModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "stream";

  private final OwnedResources<LineScanner> scanners = new OwnedResources<>("scanner");
  private @Nullable StreamTable table;

  /** Creates the module. */
  public StreamModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public List<String> dependsOn() {
    return List.of(StreamTable.COMPONENT_NAME);
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        Streams.READ,
        Streams.WRITE,
        Streams.CLOSE,
        Streams.SEEK,
        Streams.FLUSH,
        Streams.STAT,
        Streams.SCANNER_CREATE,
        Streams.SCANNER_SCAN,
        Streams.OPEN_FILE,
        Streams.CONNECT);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    table = services.require(StreamTable.KEY);
    registrar.register(Streams.OPEN_FILE, Handler.forType(Streams.OpenFile.class, this::openFile));
    registrar.register(Streams.CONNECT, Handler.forType(Streams.Connect.class, this::connect));
    registrar.register(Streams.READ, Handler.forType(Streams.Read.class, this::read));
    registrar.register(Streams.WRITE, Handler.forType(Streams.Write.class, this::write));
    registrar.register(Streams.CLOSE, Handler.forType(Streams.Close.class, this::close));
    registrar.register(Streams.SEEK, Handler.forType(Streams.Seek.class, this::seek));
    registrar.register(Streams.FLUSH, Handler.forType(Streams.Flush.class, this::flush));
    registrar.register(Streams.STAT, Handler.forType(Streams.Stat.class, this::stat));
    registrar.register(
        Streams.SCANNER_CREATE, Handler.forType(Streams.ScannerCreate.class, this::scannerCreate));
    registrar.register(
        Streams.SCANNER_SCAN, Handler.forType(Streams.ScannerScan.class, this::scannerScan));
  }

  /** Forgets every scanner (the table closes the streams when its component stops). */
  @Override
  public void stop() {
    var _ = scanners.clear();
  }

  /** The number of scanners held for their owners. */
  public int scannerCount() {
    return scanners.size();
  }

  private StreamTable table() {
    StreamTable t = table;
    if (t == null) {
      throw new IllegalStateException("the stream module is not registered");
    }
    return t;
  }

  private void openFile(
      CommandContext context, Streams.OpenFile open, long tag, ResultReceiver receiver) {
    var _ = Callers.pidOf(context, "stream.OpenFile");
    Thread.ofVirtual()
        .name("stream-open")
        .start(
            () -> {
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, cancelled("stream.OpenFile " + open.path()));
                return;
              }
              Set<Streams.OpenMode> modes = open.modes();
              Set<OpenOption> options = new HashSet<>();
              for (Streams.OpenMode mode : modes) {
                options.add(
                    switch (mode) {
                      case READ -> StandardOpenOption.READ;
                      case WRITE -> StandardOpenOption.WRITE;
                      case APPEND -> StandardOpenOption.APPEND;
                      case CREATE -> StandardOpenOption.CREATE;
                      case CREATE_NEW -> StandardOpenOption.CREATE_NEW;
                      case TRUNCATE -> StandardOpenOption.TRUNCATE_EXISTING;
                    });
              }
              FileChannel channel;
              try {
                channel = FileChannel.open(open.path(), options);
              } catch (IOException e) {
                receiver.completeYield(tag, null, new StreamOpenException(open.path(), e));
                return;
              } catch (RuntimeException e) {
                receiver.completeYield(tag, null, e);
                return;
              }
              boolean writable =
                  modes.contains(Streams.OpenMode.WRITE) || modes.contains(Streams.OpenMode.APPEND);
              StreamResource resource =
                  StreamResource.seekable(channel, modes.contains(Streams.OpenMode.READ), writable);
              Streams.StreamId id;
              try {
                // If the caller (or this command's deadline) is gone, the table closes it at once.
                id = table().open(context, resource);
              } catch (RuntimeException e) {
                receiver.completeYield(tag, null, e);
                return;
              }
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, cancelled("stream.OpenFile " + open.path()));
              } else {
                receiver.completeYield(tag, id, null);
              }
            });
  }

  private void read(CommandContext context, Streams.Read read, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, read.stream());
    if (!stream.resource.readable()) {
      throw new StreamOperationException(stream.id, StreamOperationException.Kind.NOT_READABLE);
    }
    int size = read.maxBytes() == 0 ? Streams.DEFAULT_READ_SIZE : read.maxBytes();
    run(
        context,
        tag,
        receiver,
        stream,
        "stream.Read",
        () -> {
          ByteBuffer into = ByteBuffer.allocate(size);
          int n = stream.read(into);
          return n < 0
              ? new Streams.Chunk(new byte[0], true)
              : new Streams.Chunk(Arrays.copyOf(into.array(), n), false);
        },
        chunk -> stream.unread(chunk.bytes()));
  }

  private void write(
      CommandContext context, Streams.Write write, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, write.stream());
    if (!stream.resource.writable()) {
      throw new StreamOperationException(stream.id, StreamOperationException.Kind.NOT_WRITABLE);
    }
    run(context, tag, receiver, stream, "stream.Write", () -> stream.write(write.bytes()), null);
  }

  private void connect(
      CommandContext context, Streams.Connect connect, long tag, ResultReceiver receiver) {
    var _ = Callers.pidOf(context, "stream.Connect");
    String what = "stream.Connect to " + connect.host() + ":" + connect.port();
    Thread.ofVirtual()
        .name("stream-connect")
        .start(
            () -> {
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, cancelled(what));
                return;
              }
              SocketChannel channel;
              try {
                channel = SocketChannel.open();
              } catch (IOException e) {
                receiver.completeYield(
                    tag,
                    null,
                    new StreamConnectException(
                        connect.host(),
                        connect.port(),
                        StreamConnectException.Kind.UNREACHABLE,
                        e));
                return;
              }
              // The yield's deadline or the caller's end stops the connect: closing the channel
              // ends a blocking connect with an error, and the tag completes at once with the
              // cancellation (a host-name lookup cannot be stopped: it finishes in the background
              // and its result is dropped). Whoever sets `done` completes the tag.
              AtomicBoolean done = new AtomicBoolean();
              Registration abort =
                  context.onCancel(
                      () -> {
                        closeQuietly(channel);
                        if (done.compareAndSet(false, true)) {
                          receiver.completeYield(tag, null, cancelled(what));
                        }
                      });
              try {
                InetSocketAddress address = new InetSocketAddress(connect.host(), connect.port());
                if (address.isUnresolved()) {
                  throw new UnknownHostException(connect.host());
                }
                long millis = Math.clamp(connect.timeout().toMillis(), 1, Integer.MAX_VALUE);
                channel.socket().connect(address, (int) millis);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
              } catch (IOException e) {
                abort.remove();
                closeQuietly(channel);
                if (done.compareAndSet(false, true)) {
                  receiver.completeYield(
                      tag,
                      null,
                      context.isCancelled() ? cancelled(what) : connectFailure(connect, e));
                }
                return;
              } catch (RuntimeException e) {
                abort.remove();
                closeQuietly(channel);
                if (done.compareAndSet(false, true)) {
                  receiver.completeYield(tag, null, e);
                }
                return;
              }
              abort.remove();
              if (!done.compareAndSet(false, true)) {
                closeQuietly(channel); // cancelled as it connected: the tag is already completed
                return;
              }
              Streams.StreamId id;
              try {
                // If the caller (or this command's deadline) is gone, the table closes it at once.
                id = table().open(context, StreamResource.socket(channel));
              } catch (RuntimeException e) {
                receiver.completeYield(tag, null, e);
                return;
              }
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, cancelled(what));
              } else {
                receiver.completeYield(tag, id, null);
              }
            });
  }

  private static StreamConnectException connectFailure(Streams.Connect connect, IOException e) {
    StreamConnectException.Kind kind =
        switch (e) {
          case ConnectException _ -> StreamConnectException.Kind.REFUSED;
          case SocketTimeoutException _ -> StreamConnectException.Kind.TIMED_OUT;
          case UnknownHostException _ -> StreamConnectException.Kind.UNKNOWN_HOST;
          default -> StreamConnectException.Kind.UNREACHABLE;
        };
    return new StreamConnectException(connect.host(), connect.port(), kind, e);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closed either way.
    }
  }

  private void close(
      CommandContext context, Streams.Close close, long tag, ResultReceiver receiver) {
    if (close.outputOnly()) {
      OpenStream open = table().get(context, close.stream());
      if (!open.resource.halfClosable()) {
        throw new StreamOperationException(
            open.id, StreamOperationException.Kind.NOT_HALF_CLOSABLE);
      }
      // Queued: the writes yielded before it go out first.
      run(
          context,
          tag,
          receiver,
          open,
          "stream.Close",
          () -> {
            open.resource.closeOutput();
            return true;
          },
          null);
      return;
    }
    OpenStream stream = table().remove(context, close.stream());
    // Not queued: closing ends a read that blocks the queue. Closing a file may flush: off thread.
    Thread.ofVirtual()
        .name("stream-close-" + stream.id)
        .start(
            () -> {
              stream.close();
              receiver.completeYield(tag, true, null);
            });
  }

  private void seek(CommandContext context, Streams.Seek seek, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, seek.stream());
    if (!stream.resource.seekable()) {
      throw new StreamOperationException(stream.id, StreamOperationException.Kind.NOT_SEEKABLE);
    }
    run(
        context,
        tag,
        receiver,
        stream,
        "stream.Seek",
        () -> {
          long base =
              switch (seek.whence()) {
                case START -> 0;
                case CURRENT -> stream.position();
                case END -> stream.resource.size();
              };
          long target = base + seek.offset();
          if (target < 0) {
            throw new IllegalArgumentException(
                "stream.Seek on stream "
                    + stream.id
                    + " would move before the start: "
                    + seek.whence()
                    + " "
                    + seek.offset());
          }
          stream.seek(target);
          return target;
        },
        null);
  }

  private void flush(
      CommandContext context, Streams.Flush flush, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, flush.stream());
    run(
        context,
        tag,
        receiver,
        stream,
        "stream.Flush",
        () -> {
          stream.resource.flush();
          return true;
        },
        null);
  }

  private void stat(CommandContext context, Streams.Stat stat, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, stat.stream());
    StreamResource r = stream.resource;
    run(
        context,
        tag,
        receiver,
        stream,
        "stream.Stat",
        () ->
            new Streams.StreamInfo(
                r.size(), stream.position(), r.readable(), r.writable(), r.seekable()),
        null);
  }

  private void scannerCreate(
      CommandContext context, Streams.ScannerCreate create, long tag, ResultReceiver receiver) {
    OpenStream stream = table().get(context, create.stream());
    if (!stream.resource.readable()) {
      throw new StreamOperationException(stream.id, StreamOperationException.Kind.NOT_READABLE);
    }
    long handle = scanners.nextHandle();
    // Nothing to release when the owner ends: the scanner holds only a buffer, and the stream
    // is closed by its own entry.
    scanners.add(handle, context, new LineScanner(handle, stream, create), scanner -> {});
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, cancelled("stream.ScannerCreate"));
    } else {
      receiver.completeYield(tag, new Streams.ScannerId(handle), null);
    }
  }

  private void scannerScan(
      CommandContext context, Streams.ScannerScan scan, long tag, ResultReceiver receiver) {
    LineScanner scanner = scanners.get(context, scan.scanner().value());
    run(
        context,
        tag,
        receiver,
        scanner.stream,
        "stream.ScannerScan",
        scanner::scan,
        scanner::unscan);
  }

  /** One blocking step of an operation, run on the stream's queue. */
  @FunctionalInterface
  private interface Operation<T> {
    T run() throws IOException;
  }

  /**
   * Queues {@code operation} on {@code stream} and completes the tag with its result, or with a
   * {@link CancellationException} as soon as the context is cancelled (then a result that comes
   * later goes to {@code unused}, if given, so it is not lost).
   */
  private static <T> void run(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      OpenStream stream,
      String name,
      Operation<T> operation,
      @Nullable Consumer<T> unused) {
    AtomicBoolean done = new AtomicBoolean();
    Registration stopWaiting =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                receiver.completeYield(tag, null, cancelled(name + " on stream " + stream.id));
              }
            });
    stream.enqueue(
        () -> {
          if (done.get()) {
            return; // cancelled before it ran: do nothing
          }
          T result = null;
          Throwable error = null;
          if (stream.isClosed()) {
            error = new StreamClosedException(stream.id, name);
          } else {
            try {
              result = operation.run();
            } catch (IOException e) {
              error =
                  stream.isClosed()
                      ? new StreamClosedException(stream.id, name)
                      : new StreamIoException(stream.id, name, e);
            } catch (RuntimeException e) {
              error = e;
            }
          }
          if (error != null && context.isCancelled()) {
            // The owner's end closes the stream (its callback may run before this command's),
            // which ends the read with a closed-stream error: report the cancellation instead.
            error = cancelled(name + " on stream " + stream.id);
          }
          if (done.compareAndSet(false, true)) {
            stopWaiting.remove();
            receiver.completeYield(tag, result, error);
          } else if (result != null && unused != null && !stream.isClosed()) {
            unused.accept(result);
          }
        });
  }

  private static CancellationException cancelled(String what) {
    return new CancellationException(
        what + " was cancelled: its deadline passed or its caller ended");
  }
}
