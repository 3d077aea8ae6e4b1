package dev.baton.modules.stream;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.dispatch.CommandContext;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.spi.OwnedResources;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The node's open streams, each owned by a process (SPI for other modules): the stream module
 * serves its commands on them, and modules that produce byte streams (exec's process pipes, http's
 * response bodies, sockets) register theirs with {@link #open}, then hand the {@link
 * Streams.StreamId} to the process.
 *
 * <p><b>Concurrency.</b> Thread-safe: an {@link OwnedResources} table. A stream is closed exactly
 * once, by whoever removes it: its owner's Close, its owner's end, or {@link #close()} at node
 * stop. Operations on one stream run one at a time in arrival order (see the stream module).
 *
 * <p>Boot it with {@link #component()} (name {@value #COMPONENT_NAME}, service {@link #KEY}); the
 * stream module depends on it.
 */
public final class StreamTable implements AutoCloseable {
  /** The component's name. */
  public static final String COMPONENT_NAME = "stream.table";

  /** The service's key. */
  public static final Key<StreamTable> KEY = Key.of(COMPONENT_NAME, StreamTable.class);

  private final OwnedResources<OpenStream> streams = new OwnedResources<>("stream");
  private volatile boolean closed;

  /** Creates an empty table. */
  public StreamTable() {}

  /** A component that provides a new table under {@link #KEY} and closes it at stop. */
  public static Component component() {
    return Component.named(COMPONENT_NAME)
        .onLoad(context -> context.with(KEY, new StreamTable()))
        .onStop(context -> context.require(KEY).close())
        .build();
  }

  /**
   * Registers {@code resource} as a stream owned by {@code owner}'s caller (a process), and returns
   * its id for the process. From then on the table owns the resource: it is closed by the owner's
   * Close, when the owner ends (at once if it already has), or when the node stops. Any thread.
   *
   * @throws IllegalStateException if the table was closed (the node is stopping); the resource is
   *     closed
   */
  public Streams.StreamId open(CommandContext owner, StreamResource resource) {
    requireNonNull(owner, "owner");
    requireNonNull(resource, "resource");
    long handle = streams.nextHandle();
    OpenStream stream = new OpenStream(handle, resource);
    if (closed) {
      stream.close();
      throw new IllegalStateException("the stream table is closed (the node is stopping)");
    }
    streams.add(handle, owner, stream, OpenStream::close);
    if (closed) {
      // Raced the stop's clear: close it here (closing twice is harmless).
      var _ = streams.forget(handle);
      stream.close();
      throw new IllegalStateException("the stream table is closed (the node is stopping)");
    }
    return new Streams.StreamId(handle);
  }

  /**
   * The stream {@code id} if {@code caller}'s process owns it.
   *
   * @throws HandleNotFoundException if it never existed, was closed, or is another process's
   */
  OpenStream get(CommandContext caller, Streams.StreamId id) {
    return streams.get(caller, id.value());
  }

  /**
   * Removes the stream {@code id} if {@code caller}'s process owns it; the caller closes it.
   *
   * @throws HandleNotFoundException if it never existed, was closed, or is another process's
   */
  OpenStream remove(CommandContext caller, Streams.StreamId id) {
    return streams.remove(caller, id.value());
  }

  /**
   * Reads up to {@code maxBytes} from the stream {@code id} of {@code caller}'s process, as a Read
   * command would: after the operations queued before it, pushed-back bytes first. For modules that
   * consume a process's stream themselves (http sends one as a request body); the stream stays the
   * process's. Any thread; does not block.
   *
   * <p>Cancelling the returned future gives the read up: if it has not started it never runs, and
   * if it is blocked, the bytes it gets go back in front of the stream for the next read (as for a
   * Read whose deadline passed), so a reader that stops waiting loses none of the process's data.
   *
   * @return completes with the chunk ({@code eof} at the end), or fails with {@link
   *     StreamClosedException} or {@link StreamIoException}
   * @throws HandleNotFoundException if the caller does not own {@code id}
   * @throws StreamOperationException if the stream is not readable
   */
  public CompletableFuture<Streams.Chunk> read(
      CommandContext caller, Streams.StreamId id, int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1: " + maxBytes);
    }
    OpenStream stream = get(caller, id);
    if (!stream.resource.readable()) {
      throw new StreamOperationException(stream.id, StreamOperationException.Kind.NOT_READABLE);
    }
    CompletableFuture<Streams.Chunk> chunk = new CompletableFuture<>();
    stream.enqueue(
        () -> {
          if (chunk.isDone()) {
            return; // given up before it ran
          }
          if (stream.isClosed()) {
            chunk.completeExceptionally(new StreamClosedException(stream.id, "stream read"));
            return;
          }
          try {
            ByteBuffer into = ByteBuffer.allocate(maxBytes);
            int n = stream.read(into);
            Streams.Chunk read =
                n < 0
                    ? new Streams.Chunk(new byte[0], true)
                    : new Streams.Chunk(Arrays.copyOf(into.array(), n), false);
            if (!chunk.complete(read) && !stream.isClosed()) {
              stream.unread(read.bytes()); // given up while it blocked: keep the bytes
            }
          } catch (IOException e) {
            chunk.completeExceptionally(
                stream.isClosed()
                    ? new StreamClosedException(stream.id, "stream read")
                    : new StreamIoException(stream.id, "stream read", e));
          } catch (RuntimeException e) {
            chunk.completeExceptionally(e);
          }
        });
    return chunk;
  }

  /** The number of streams held for their owners. */
  public int size() {
    return streams.size();
  }

  /** Closes every stream; later {@link #open} calls fail. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (OpenStream stream : streams.clear()) {
      stream.close();
    }
  }
}
