package dev.baton.modules.http;

import dev.baton.dispatch.CommandContext;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a process's stream as a request body, one chunk per demand, read through the stream
 * table (so after the operations the process queued before, and never on a client thread).
 *
 * <p>The body can be sent once: the stream's bytes are consumed as they go out, so a second
 * subscription (the client resending the body for a 307/308 redirect or a retry) fails at once
 * instead of sending what is left of the stream as if it were the whole body. A read the stream
 * table has not finished when the exchange ends ({@link #stop()}) or the client cancels is given
 * up, and the bytes it gets go back to the stream for the process's next Read.
 *
 * <p><b>Concurrency.</b> One read is in flight at a time ({@link Pull#pulling}); the subscriber's
 * signals are therefore serial, as the reactive-streams rules require. {@code request}, {@code
 * cancel} and {@link #stop()} may come from any thread: demand is an {@link AtomicLong}, and
 * whoever adds demand or finishes a read calls {@link Pull#pull()}, which starts the next read only
 * if none is running. {@link #reading} is the read in flight (volatile; cancelled by whoever
 * stops).
 */
final class StreamBodyPublisher implements Flow.Publisher<ByteBuffer> {
  private static final int CHUNK = 16 * 1024;

  private final StreamTable table;
  private final CommandContext owner;
  private final Streams.StreamId stream;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  /** Set once the exchange ended or the client cancelled: no read starts after it. */
  private volatile boolean stopped;

  /** The read in flight, if any; cancelled by {@link #stop()} so it gives its bytes back. */
  private volatile @Nullable CompletableFuture<Streams.Chunk> reading;

  StreamBodyPublisher(StreamTable table, CommandContext owner, Streams.StreamId stream) {
    this.table = table;
    this.owner = owner;
    this.stream = stream;
  }

  /**
   * Stops reading the stream: the exchange is over (or was aborted). Idempotent, any thread; a read
   * in flight is given up and its bytes stay the process's.
   */
  void stop() {
    stopped = true;
    CompletableFuture<Streams.Chunk> current = reading;
    if (current != null) {
      var _ = current.cancel(false);
    }
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      subscriber.onError(
          new IllegalStateException(
              "the StreamBody of stream "
                  + stream.value()
                  + " was already sent and cannot be sent again (a 307/308 redirect or a retry"
                  + " resends the body): send a FileBody or BytesBody, or do not follow redirects"));
      return;
    }
    subscriber.onSubscribe(new Pull(subscriber));
  }

  private final class Pull implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean pulling = new AtomicBoolean();
    private volatile boolean done;

    Pull(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        done = true;
        subscriber.onError(new IllegalArgumentException("non-positive demand: " + n));
        return;
      }
      var _ = demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      pull();
    }

    @Override
    public void cancel() {
      done = true;
      stop();
    }

    void pull() {
      if (done || stopped || demand.get() == 0 || !pulling.compareAndSet(false, true)) {
        return;
      }
      CompletableFuture<Streams.Chunk> next;
      try {
        next = table.read(owner, stream, CHUNK);
      } catch (RuntimeException e) {
        done = true;
        subscriber.onError(e);
        return;
      }
      reading = next;
      if (stopped) {
        var _ = next.cancel(false); // stop() ran before it could see this read
      }
      var _ =
          next.whenComplete(
              (chunk, error) -> {
                if (done || stopped) {
                  return;
                }
                if (error != null) {
                  done = true;
                  subscriber.onError(
                      error instanceof CompletionException && error.getCause() != null
                          ? error.getCause()
                          : error);
                  return;
                }
                if (chunk.eof()) {
                  done = true;
                  subscriber.onComplete();
                  return;
                }
                var _ = demand.decrementAndGet();
                subscriber.onNext(ByteBuffer.wrap(chunk.bytes()));
                pulling.set(false);
                pull();
              });
    }
  }
}
