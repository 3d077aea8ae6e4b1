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

/**
 * Publishes a process's stream as a request body, one chunk per demand, read through the stream
 * table (so after the operations the process queued before, and never on a client thread).
 *
 * <p><b>Concurrency.</b> One read is in flight at a time ({@link Pull#pulling}); the subscriber's
 * signals are therefore serial, as the reactive-streams rules require. {@code request} and {@code
 * cancel} may come from any thread: demand is an {@link AtomicLong}, and whoever adds demand or
 * finishes a read calls {@link Pull#pull()}, which starts the next read only if none is running.
 */
final class StreamBodyPublisher implements Flow.Publisher<ByteBuffer> {
  private static final int CHUNK = 16 * 1024;

  private final StreamTable table;
  private final CommandContext owner;
  private final Streams.StreamId stream;

  StreamBodyPublisher(StreamTable table, CommandContext owner, Streams.StreamId stream) {
    this.table = table;
    this.owner = owner;
    this.stream = stream;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
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
    }

    void pull() {
      if (done || demand.get() == 0 || !pulling.compareAndSet(false, true)) {
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
      var _ =
          next.whenComplete(
              (chunk, error) -> {
                if (done) {
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
