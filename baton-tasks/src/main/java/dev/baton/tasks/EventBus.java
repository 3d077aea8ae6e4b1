package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans an app's events out to its listeners (the seed's event multiplexer, without its silent
 * drops).
 *
 * <p>Concurrency: {@link #emit} is called from any thread (workers, adapters, timers) and never
 * blocks: each listener has a queue drained by its own virtual thread, bounded by a counter of the
 * events in it (kept apart from the queue, so the stop signal always fits), and an event that does
 * not fit is counted in the listener's {@code dropped}. The listener table is a concurrent map read
 * on every emit; registration is rare. After {@link #close()} the drainers deliver what is queued
 * and stop; later emits are ignored.
 */
final class EventBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  private final int bufferSize;
  private final Map<Integer, Listener> listeners = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();
  private volatile boolean closed;

  EventBus(int bufferSize) {
    this.bufferSize = bufferSize;
  }

  /** Whether any listener would receive an event of this origin and level (skip building it). */
  boolean wants(EventOrigin origin, EventLevel level) {
    for (Listener listener : listeners.values()) {
      if (listener.accepts(origin, level)) {
        return true;
      }
    }
    return false;
  }

  /** Delivers {@code event} to every listener that asked for its origin and level. */
  void emit(TaskEvent event) {
    if (closed) {
      return;
    }
    if (event.level() == EventLevel.ERROR) {
      log.debug("{} {} {}: {}", event.origin(), event.level(), event.code(), event.message());
    }
    for (Listener listener : listeners.values()) {
      if (listener.accepts(event.origin(), event.level())) {
        listener.offer(event);
      }
    }
  }

  EventSubscription listen(
      Set<EventOrigin> origins, EventLevel level, Consumer<? super TaskEvent> consumer) {
    requireNonNull(origins, "origins");
    requireNonNull(level, "level");
    requireNonNull(consumer, "listener");
    if (origins.isEmpty()) {
      throw new IllegalArgumentException(
          "listen needs at least one origin; pass EnumSet.allOf(EventOrigin.class) for all");
    }
    if (closed) {
      throw new TaskConfigurationException("the app is closed; it emits no more events");
    }
    int id = nextId.incrementAndGet();
    Listener listener = new Listener(id, EnumSet.copyOf(origins), level, consumer, bufferSize);
    listeners.put(id, listener);
    listener.start();
    return listener;
  }

  void stopListen(int id) {
    Listener listener = listeners.remove(id);
    if (listener == null) {
      throw new IllegalArgumentException("no event listener has id " + id);
    }
    listener.stop();
  }

  /** Stops every listener after it has received what was queued for it. */
  @Override
  public void close() {
    closed = true;
    for (Listener listener : listeners.values()) {
      listener.stop();
    }
    listeners.clear();
  }

  /** One listener: its filter, its bounded queue, and the virtual thread that drains it. */
  private static final class Listener implements EventSubscription {
    /** Wakes the drainer to stop; never delivered. */
    private static final TaskEvent STOP =
        new TaskEvent(
            EventOrigin.BRIDGE,
            EventLevel.DEBUG,
            EventCode.GENERIC,
            "stop",
            null,
            null,
            java.time.Instant.EPOCH);

    private final int id;
    private final Set<EventOrigin> origins;
    private final EventLevel level;
    private final Consumer<? super TaskEvent> consumer;
    private final LinkedBlockingQueue<TaskEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder delivered = new LongAdder();

    Listener(
        int id,
        Set<EventOrigin> origins,
        EventLevel level,
        Consumer<? super TaskEvent> consumer,
        int bufferSize) {
      this.id = id;
      this.origins = origins;
      this.level = level;
      this.consumer = consumer;
      this.capacity = bufferSize;
    }

    boolean accepts(EventOrigin origin, EventLevel eventLevel) {
      return origins.contains(origin) && eventLevel.reaches(level);
    }

    void offer(TaskEvent event) {
      // Capacity is counted apart from the queue, so STOP always fits and events never exceed it.
      if (queued.incrementAndGet() > capacity) {
        queued.decrementAndGet();
        dropped.increment();
        return;
      }
      queue.add(event);
    }

    void start() {
      Thread.ofVirtual().name("baton-events-" + id).start(this::drain);
    }

    void stop() {
      queue.add(STOP);
    }

    @SuppressWarnings("ReferenceEquality") // STOP is a sentinel instance, compared by identity
    private void drain() {
      try {
        while (true) {
          TaskEvent event = queue.poll(1, TimeUnit.DAYS);
          if (event == null) {
            continue;
          }
          if (event == STOP) {
            return;
          }
          queued.decrementAndGet();
          try {
            consumer.accept(event);
          } catch (RuntimeException | Error e) {
            log.warn("event listener {} threw; it keeps receiving events", id, e);
          }
          delivered.increment();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public int id() {
      return id;
    }

    @Override
    public long dropped() {
      return dropped.sum();
    }

    @Override
    public long delivered() {
      return delivered.sum();
    }
  }
}
