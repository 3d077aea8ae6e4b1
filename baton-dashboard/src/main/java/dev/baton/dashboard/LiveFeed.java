package dev.baton.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live updates behind {@code GET /api/events}: server-sent events of {@code snapshot} every
 * sample interval, {@code tasks} when the recent tasks changed, and {@code problem} ({@code
 * {"error": "..."}}) for each sample the node failed to answer, so a page can tell frozen numbers
 * from quiet ones.
 *
 * <p><b>Design.</b> One sampler (a single-threaded scheduled executor on a virtual thread) calls
 * {@link NodeView} once per interval while at least one stream is open, writes each event's text
 * once and offers it to every stream's bounded queue without blocking. Each stream is served by its
 * own HTTP thread, which takes from its queue and writes to its client, and sends a heartbeat
 * comment when nothing came for {@link #HEARTBEAT}. A stream whose queue is full (its client reads
 * slower than events come) is dropped: it leaves the set and gets no more events, and its thread
 * ends its response once its pending write returns; so a slow client never delays the sampler or
 * the other clients. At most {@link #MAX_STREAMS} streams are open at once (a semaphore). {@link
 * #close()} stops the sampler and ends every stream.
 *
 * <p>A {@link NodeView} that throws (an exception, or an error a broken implementation throws: a
 * missing class, a failed assertion, a stack overflow) pauses the events without ending the
 * sampler's schedule, which an escaping throwable would cancel for good.
 *
 * <p>Thread-safe. The sampler's own state ({@link #lastTasks}, {@link #failing}) is touched by the
 * sampler thread only.
 */
final class LiveFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  /** The most live streams at once; more get 503. */
  static final int MAX_STREAMS = 32;

  /** Events a stream may have waiting before it is dropped as too slow. */
  static final int QUEUE_CAPACITY = 16;

  /** How long a stream may stay silent before a heartbeat comment keeps it open. */
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  /** How many recent tasks a {@code tasks} event carries. */
  static final int TASKS_LIMIT = 100;

  /** The stream's content type. */
  static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

  /** Marks the end of a stream in its queue; real events are never empty. */
  private static final String END = "";

  private final NodeView node;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final Semaphore slots = new Semaphore(MAX_STREAMS);
  private final ScheduledExecutorService sampler;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Sampler thread only.
  private @Nullable List<TaskRow> lastTasks;
  private boolean failing;

  LiveFeed(NodeView node, Duration interval) {
    this.node = node;
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("baton-dashboard-sampler").factory());
    long nanos = interval.toNanos();
    var _ = sampler.scheduleWithFixedDelay(this::sample, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Open streams now. */
  int streams() {
    return streams.size();
  }

  /**
   * Opens a stream: it gets every event from now on until it ends or is dropped.
   *
   * @throws HttpError 503 when {@link #MAX_STREAMS} are open or the feed is closed
   */
  Stream open() {
    if (closed.get() || !slots.tryAcquire()) {
      throw new HttpError(
          503,
          closed.get()
              ? "the dashboard is closing"
              : "too many live streams (at most "
                  + MAX_STREAMS
                  + "); close other dashboard tabs and reload");
    }
    Stream stream = new Stream();
    streams.add(stream);
    if (closed.get()) {
      stream.end();
    }
    return stream;
  }

  /**
   * Serves one stream on the calling (HTTP) thread until the client goes, the stream is dropped or
   * the feed closes.
   *
   * @throws HttpError 503 when {@link #MAX_STREAMS} are open or the feed is closed
   */
  void serve(HttpExchange exchange) throws IOException {
    Stream stream = open();
    try {
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      String first = "retry: 2000\n\n";
      try {
        first += event("snapshot", node.snapshot());
      } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
        LOG.warn("dashboard: the node's snapshot failed; the stream starts without one", e);
        first += event("problem", Map.of("error", "the node could not answer: " + e));
      }
      write(out, first);
      long heartbeatNanos = HEARTBEAT.toNanos();
      while (true) {
        String next = stream.poll(heartbeatNanos);
        if (next == null) {
          write(out, ": heartbeat\n\n");
        } else if (next.equals(END)) {
          break;
        } else {
          write(out, next);
        }
      }
    } catch (IOException e) {
      LOG.debug("dashboard: a live stream's client went away", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      remove(stream);
      exchange.close();
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void sample() {
    if (streams.isEmpty()) {
      lastTasks = null;
      return;
    }
    try {
      broadcast(event("snapshot", node.snapshot()));
      List<TaskRow> tasks = node.recentTasks(TASKS_LIMIT);
      if (!tasks.equals(lastTasks)) {
        lastTasks = tasks;
        broadcast(event("tasks", tasks));
      }
      if (failing) {
        failing = false;
        LOG.info("dashboard: sampling the node works again");
      }
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      // Logged once per run of failures; the sampler keeps its schedule.
      if (!failing) {
        failing = true;
        LOG.warn("dashboard: sampling the node failed; live updates pause until it works", e);
      }
      broadcast(event("problem", Map.of("error", "the node could not answer: " + e)));
    }
  }

  private void broadcast(String event) {
    for (Stream stream : streams) {
      if (!stream.offer(event)) {
        LOG.info("dashboard: dropped a live stream whose client reads too slowly");
        remove(stream);
        stream.end();
      }
    }
  }

  private void remove(Stream stream) {
    if (streams.remove(stream)) {
      slots.release();
    }
  }

  private static String event(String name, Object data) {
    return "event: " + name + "\ndata: " + Json.text(data) + "\n\n";
  }

  /** Stops the sampler and ends every stream. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sampler.shutdownNow();
    for (Stream stream : streams) {
      stream.end();
    }
  }

  /** One client's queue of events. */
  static final class Stream {
    private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean ended = new AtomicBoolean();

    /** Whether it ended: dropped as too slow, or the feed closed. */
    boolean ended() {
      return ended.get();
    }

    /** The next event's text, waiting up to {@code nanos}; null if none came, "" at the end. */
    @Nullable String poll(long nanos) throws InterruptedException {
      return queue.poll(nanos, TimeUnit.NANOSECONDS);
    }

    boolean offer(String event) {
      return ended.get() || queue.offer(event);
    }

    /** Ends the stream: drops what waits and queues {@link #END} (a cleared queue has room). */
    void end() {
      if (ended.compareAndSet(false, true)) {
        queue.clear();
        var _ = queue.offer(END);
      }
    }
  }
}
