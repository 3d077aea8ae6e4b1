package dev.baton.redis;

import static dev.baton.redis.Keys.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.TimeSource;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A result backend on Redis: each call's reports in a list, pushed to the caller on its own reply
 * channel.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li>Each backend has one reply channel, {@code baton:reply:<uuid>}, subscribed on connect on
 *       its pub/sub connection; {@link #replyAddress()} names it and the engine puts it in each
 *       task's {@code replyTo}.
 *   <li>{@link #publish} runs one Lua script: {@code RPUSH baton:r:<key>} the encoded report,
 *       {@code PEXPIRE} the list to the report's {@code expiresAt} (measured from the time source's
 *       now), {@code PUBLISH} the list's new length on the channel of the same name, and, when the
 *       task names a reply channel, {@code PUBLISH} on it {@code <length>:<key length>:<list
 *       key><report>}: the report itself with its index. The stage completes when Redis has
 *       executed it. A {@code replyTo} that is not a Redis reply channel is not published to.
 *   <li>{@link #poll} holds no connection of its own. The polls of one key share a <i>watch</i>,
 *       with a serial reader that reads the list from the lowest index any of its polls still needs
 *       ({@code LRANGE}) once when a poll joins, and hands each poll the reports it has not seen,
 *       in list order. A report pushed on the reply channel goes straight to the polls that have
 *       seen every earlier one (the per-poll index means none is repeated); a poll that has not (it
 *       joined after, or a push was lost) gets it by reading the list. A call's polls thus cost one
 *       {@code LRANGE}, and its reports no command at all on the caller's side.
 *   <li>A call made by another caller (a claim here found its idempotency key held by that call)
 *       has its reports pushed to that caller's channel, or to none: its watch also subscribes to
 *       the key's channel and reads the list whenever it fires (the first read once the
 *       subscription is confirmed, so no report is missed). A poll of a key neither sent with this
 *       backend's reply address nor claimed here as held elsewhere sees the reports stored before
 *       it and those pushed to this backend; the engine makes no such poll.
 *   <li>{@link #claimIdempotencyKey}: {@code SET NX PX} in a script that returns the holder's id.
 * </ul>
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. One reader per watch runs at a time, on a virtual thread, so one poll's sink is
 * never called concurrently. A sink that throws is reported as a WARNING {@code REPORT_FAILURE}
 * event and the poll goes on. A lost connection is reported as a WARNING {@code CONNECTION} event
 * and its return as an INFO one; Lettuce resubscribes the channels, and every watch reads its list
 * again on reconnect and again when its (or the reply channel's) resubscription is confirmed (a
 * report published between the two would otherwise never be notified). {@link #publish} fails with
 * the connection's error; {@link #poll} and {@link #claimIdempotencyKey} throw {@link
 * IllegalStateException} if Redis does not answer within 10 seconds. After {@link #close()} {@code
 * publish} returns a failed stage and {@code poll} and {@code claimIdempotencyKey} throw {@link
 * IllegalStateException} ("backend is closed").
 */
public final class RedisBackend implements ReportPublisher, ReportStore {

  private static final Script PUBLISH =
      new Script(
          """
          local n = redis.call('RPUSH', KEYS[1], ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          redis.call('PUBLISH', KEYS[1], n)
          if ARGV[3] ~= '' then
            redis.call('PUBLISH', ARGV[3], n .. ':' .. #KEYS[1] .. ':' .. KEYS[1] .. ARGV[1])
          end
          return n
          """);

  private static final Script CLAIM =
      new Script(
          """
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
          local holder = redis.call('GET', KEYS[1])
          if holder then return holder end
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return ARGV[1]
          """);

  private static final byte[] EMPTY = new byte[0];

  /**
   * How long a claim that found its key held by another call marks that call's key for polling
   * through its channel: the engine polls right after claiming.
   */
  private static final long HELD_ELSEWHERE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private final TimeSource time;
  private final AttachedContexts events = new AttachedContexts();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("baton-redis-backend-", 0).factory());
  private final Object lock = new Object();
  private final String replyChannel = Keys.REPLY_PREFIX + UUID.randomUUID();
  private final byte[] replyChannelBytes = bytes(replyChannel);
  private final AtomicBoolean replySubscribed = new AtomicBoolean();

  /**
   * Calls whose idempotency key a claim here found held by another call (its reports may be sent to
   * another caller's reply channel, or to none), to the {@link System#nanoTime} after which the
   * mark lapses.
   */
  @GuardedBy("lock")
  private final Map<TaskKey, Long> heldElsewhere = new HashMap<>();

  @GuardedBy("lock")
  private final Map<TaskKey, Watch> watches = new HashMap<>();

  @GuardedBy("lock")
  private final Map<String, Watch> byChannel = new HashMap<>();

  @GuardedBy("lock")
  private boolean closed;

  private RedisBackend(
      RedisClient client,
      StatefulRedisConnection<byte[], byte[]> connection,
      StatefulRedisPubSubConnection<byte[], byte[]> pubsub,
      TimeSource time) {
    this.client = client;
    this.connection = connection;
    this.redis = connection.async();
    this.pubsub = pubsub;
    this.time = time;
  }

  /**
   * Connects to the Redis server at {@code uri}: {@code
   * redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS with optional
   * query parameters {@code truststore} (a PKCS#12 or JKS file), {@code truststore_password} and
   * {@code verify_peer} ({@code full}, the default, checks the certificate chain and the host name;
   * {@code ca} the chain only); and, as Lettuce reads them, {@code clientName}, {@code database}
   * and {@code timeout} (for connecting; 10 seconds by default).
   *
   * @param time the clock report expiries are measured against
   * @throws IllegalArgumentException if the URI is malformed, names an unknown parameter or its
   *     trust store cannot be read
   * @throws io.lettuce.core.RedisConnectionException if connecting fails (unreachable, wrong
   *     password, untrusted certificate); the message names the URI, without its password
   */
  public static RedisBackend connect(URI uri, TimeSource time) {
    requireNonNull(uri, "uri");
    requireNonNull(time, "time");
    StateListener listener = new StateListener();
    RedisConnections.Connected connected = RedisConnections.open(uri, listener);
    RedisBackend backend =
        new RedisBackend(connected.client(), connected.connection(), connected.pubsub(), time);
    try {
      backend.start(listener);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  private void start(StateListener listener) {
    listener.backend = this;
    pubsub.addListener(
        new RedisPubSubAdapter<byte[], byte[]>() {
          @Override
          public void message(byte[] channel, byte[] message) {
            if (Arrays.equals(channel, replyChannelBytes)) {
              onReply(message);
            } else {
              onNotify(new String(channel, UTF_8));
            }
          }

          @Override
          public void subscribed(byte[] channel, long count) {
            if (Arrays.equals(channel, replyChannelBytes)) {
              // a resubscription after a reconnect: pushes sent while it was down are lost
              if (!replySubscribed.compareAndSet(false, true)) {
                wakeAll();
              }
            } else {
              onResubscribed(new String(channel, UTF_8));
            }
          }
        });
    var _ = BrokerCore.await(pubsub.async().subscribe(replyChannelBytes));
  }

  /** Relays the client's connection events to the backend once it exists. */
  private static final class StateListener implements RedisConnectionStateListener {
    volatile @Nullable RedisBackend backend;

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      RedisBackend b = backend;
      if (b != null && b.disconnected.compareAndSet(true, false)) {
        b.events.emit(
            EventLevel.INFO,
            EventCode.CONNECTION,
            "Redis backend reconnected to " + address,
            null,
            null);
        b.wakeAll();
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      RedisBackend b = backend;
      if (b != null && !b.isClosed() && b.disconnected.compareAndSet(false, true)) {
        b.events.emit(
            EventLevel.WARNING,
            EventCode.CONNECTION,
            "Redis backend lost its connection; reconnecting",
            null,
            null);
      }
    }
  }

  @Override
  public void attach(AdapterContext context) {
    events.attach(context);
  }

  @Override
  public void detach(AdapterContext context) {
    events.detach(context);
  }

  /**
   * Appends the encoded report to its call's list and notifies the call's polls; the stage
   * completes when Redis has executed the write, or fails with the error.
   */
  @Override
  public CompletionStage<Void> publish(ReportEnvelope report, @Nullable String replyTo) {
    // A reply address that is not one of ours (another backend's, or forged) is not published to:
    // the report is stored and notified under its key all the same.
    requireNonNull(report, "report");
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    byte[] body;
    try {
      body = EnvelopeCodec.encode(report);
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
    long ttl = Math.max(1, Duration.between(time.now(), report.expiresAt()).toMillis());
    return PUBLISH
        .<Long>run(
            redis,
            ScriptOutputType.INTEGER,
            new byte[][] {Keys.reports(report.key())},
            body,
            bytes(Long.toString(ttl)),
            replyTo != null && replyTo.startsWith(Keys.REPLY_PREFIX) ? bytes(replyTo) : EMPTY)
        .thenApply(n -> null);
  }

  /**
   * Streams the reports of {@code key}: those stored before the poll first, then new ones, on a
   * virtual thread of this backend, one call of {@code sink} at a time.
   *
   * @throws IllegalStateException if the backend is closed
   */
  @Override
  public Subscription poll(TaskKey key, Consumer<byte[]> sink) {
    requireNonNull(key, "key");
    requireNonNull(sink, "sink");
    Poll poll = new Poll(sink);
    Watch watch;
    boolean created = false;
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      Watch existing = watches.get(key);
      if (existing == null) {
        Long mark = heldElsewhere.remove(key);
        watch = new Watch(key, mark != null && mark - System.nanoTime() > 0);
        if (!watch.perKey) {
          watch.subscribed.complete(null); // the reply channel was subscribed on connect
        }
        watches.put(key, watch);
        byChannel.put(watch.channel, watch);
        created = true;
      } else {
        watch = existing;
      }
      watch.polls.add(poll);
      poll.watch = watch;
    }
    if (created && watch.perKey) {
      Watch w = watch;
      var _ =
          pubsub
              .async()
              .subscribe(bytes(watch.channel))
              .toCompletableFuture()
              .whenComplete(
                  (v, e) -> {
                    if (e != null) {
                      events.emit(
                          EventLevel.WARNING,
                          EventCode.CONNECTION,
                          "subscribing to the reports of " + key + " failed: " + e,
                          key,
                          e);
                    }
                    w.subscribed.complete(null);
                  });
    }
    var _ = watch.subscribed.thenRun(watch::wake);
    return poll;
  }

  /** Stops the polls of {@code key} and its channel subscription; its reports stay until expiry. */
  @Override
  public void done(TaskKey key) {
    requireNonNull(key, "key");
    Watch watch;
    synchronized (lock) {
      watch = watches.get(key);
      if (watch == null) {
        return;
      }
      for (Poll poll : watch.polls) {
        poll.cancelled = true;
      }
      watch.polls.clear();
    }
    dropIfIdle(watch);
  }

  /**
   * Claims the key with {@code SET NX PX}; returns the id of the call holding it. Waits at most 10
   * seconds for Redis.
   *
   * @throws IllegalStateException if the backend is closed or Redis does not answer in time
   */
  @Override
  public String claimIdempotencyKey(
      String taskName, String idempotencyKey, String candidateId, Duration ttl) {
    requireNonNull(taskName, "taskName");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(candidateId, "candidateId");
    requireNonNull(ttl, "ttl");
    if (isClosed()) {
      throw closedException();
    }
    byte[] holder =
        BrokerCore.await(
            CLAIM.<byte[]>run(
                redis,
                ScriptOutputType.VALUE,
                new byte[][] {Keys.idempotency(taskName, idempotencyKey)},
                bytes(candidateId),
                bytes(Long.toString(Math.max(1, ttl.toMillis())))));
    String holderId = new String(holder, UTF_8);
    if (!holderId.equals(candidateId)) {
      long now = System.nanoTime();
      synchronized (lock) {
        heldElsewhere.values().removeIf(deadline -> deadline - now <= 0);
        heldElsewhere.put(new TaskKey(taskName, holderId), now + HELD_ELSEWHERE_NANOS);
      }
    }
    return holderId;
  }

  /**
   * This backend's reply channel, {@code baton:reply:<uuid>}: a worker's {@link #publish} pushes
   * each report of a task sent with it on that channel as well as storing it.
   */
  @Override
  public String replyAddress() {
    return replyChannel;
  }

  /** Cancels every poll and closes the connections. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Watch watch : watches.values()) {
        for (Poll poll : watch.polls) {
          poll.cancelled = true;
        }
        watch.polls.clear();
      }
      watches.clear();
      byChannel.clear();
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    pubsub.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /**
   * A report pushed on the reply channel: {@code <list length>:<key length>:<list key><report>}.
   * The watch of its key hands it to polls that have seen every earlier report, and reads the list
   * for any that have not.
   */
  private void onReply(byte[] message) {
    int colon = indexOf(message, 0);
    int second = colon < 0 ? -1 : indexOf(message, colon + 1);
    long n;
    int keyLength;
    try {
      n = second < 0 ? -1 : Long.parseLong(new String(message, 0, colon, UTF_8));
      keyLength =
          second < 0
              ? -1
              : Integer.parseInt(new String(message, colon + 1, second - colon - 1, UTF_8));
    } catch (NumberFormatException e) {
      n = -1;
      keyLength = -1;
    }
    if (n < 1 || keyLength < 0 || second + 1 + keyLength > message.length) {
      events.emit(
          EventLevel.WARNING,
          EventCode.REPORT_FAILURE,
          "a malformed message on the reply channel " + replyChannel + " was ignored",
          null,
          null);
      return;
    }
    String channel = new String(message, second + 1, keyLength, UTF_8);
    Watch watch;
    synchronized (lock) {
      watch = byChannel.get(channel);
    }
    if (watch != null) {
      watch.push(n - 1, Arrays.copyOfRange(message, second + 1 + keyLength, message.length));
    }
  }

  private static int indexOf(byte[] message, int from) {
    for (int i = from; i < message.length; i++) {
      if (message[i] == ':') {
        return i;
      }
    }
    return -1;
  }

  private void onNotify(String channel) {
    Watch watch;
    synchronized (lock) {
      watch = byChannel.get(channel);
    }
    if (watch != null) {
      watch.wake();
    }
  }

  /**
   * Reads a watch's list again when the server confirms its channel subscription after the first:
   * Lettuce resubscribes after a reconnect, and reports published before that confirmation (while
   * the pub/sub connection was down or not yet resubscribed) were never notified. The first
   * confirmation is covered by {@link #poll}, which reads once the subscription completes.
   */
  private void onResubscribed(String channel) {
    Watch watch;
    synchronized (lock) {
      watch = byChannel.get(channel);
    }
    if (watch != null && watch.subscribed.isDone()) {
      watch.wake();
    }
  }

  private void wakeAll() {
    List<Watch> all;
    synchronized (lock) {
      all = new ArrayList<>(watches.values());
    }
    for (Watch watch : all) {
      watch.wake();
    }
  }

  private void dropIfIdle(Watch watch) {
    boolean drop;
    synchronized (lock) {
      drop = watch.polls.isEmpty() && watches.get(watch.key) == watch && !closed;
      if (drop) {
        watches.remove(watch.key);
        byChannel.remove(watch.channel);
      }
    }
    if (drop && watch.perKey) {
      var _ = pubsub.async().unsubscribe(bytes(watch.channel));
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("backend is closed");
  }

  /** One poll: its sink and how many of the key's reports it has been given. */
  private final class Poll implements Subscription {
    final Consumer<byte[]> sink;

    /** Reports handed to the sink; touched only by the watch's reader. */
    long seen;

    /** Set under the backend's lock; read by the watch's reader. */
    volatile boolean cancelled;

    /** The watch it belongs to; set and read under the backend's lock. */
    volatile @Nullable Watch watch;

    Poll(Consumer<byte[]> sink) {
      this.sink = sink;
    }

    @Override
    public void cancel() {
      Watch w;
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        w = watch;
        if (w != null) {
          w.polls.remove(this);
        }
      }
      if (w != null) {
        dropIfIdle(w);
      }
    }
  }

  /** A report pushed on the reply channel: its index in its call's list, and its bytes. */
  private static final class Pushed {
    final long index;
    final byte[] report;

    Pushed(long index, byte[] report) {
      this.index = index;
      this.report = report;
    }
  }

  /**
   * The polls of one key and a serial reader: {@code running} says a reader is under way, {@code
   * dirty} that the list must be read (a notification on the key's channel, a new poll, a
   * reconnect, or a gap in pushed reports), {@code pushed} the reports that came on the reply
   * channel since. A watch of a call made elsewhere ({@code perKey}) also holds a subscription to
   * the key's channel.
   */
  private final class Watch {
    final TaskKey key;
    final String channel;
    final byte[] listKey;
    final boolean perKey;
    final CompletableFuture<@Nullable Void> subscribed = new CompletableFuture<>();

    /** Guarded by the backend's lock (Error Prone cannot name an outer instance's lock here). */
    final List<Poll> polls = new ArrayList<>();

    @GuardedBy("this")
    boolean running;

    @GuardedBy("this")
    boolean dirty;

    @GuardedBy("this")
    List<Pushed> pushed = new ArrayList<>();

    /** Consecutive failed reads; touched only by the watch's reader. */
    int failures;

    Watch(TaskKey key, boolean perKey) {
      this.key = key;
      this.perKey = perKey;
      this.listKey = Keys.reports(key);
      this.channel = new String(listKey, UTF_8);
    }

    /** Reads the list again. */
    void wake() {
      synchronized (this) {
        dirty = true;
        if (running) {
          return;
        }
        running = true;
      }
      start();
    }

    /** Hands a pushed report to the polls that are at its index, without reading the list. */
    void push(long index, byte[] report) {
      synchronized (this) {
        pushed.add(new Pushed(index, report));
        if (running) {
          return;
        }
        running = true;
      }
      start();
    }

    private void start() {
      try {
        executor.execute(this::read);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          running = false;
        }
      }
    }

    private void read() {
      while (true) {
        boolean readList;
        List<Pushed> items;
        synchronized (this) {
          if (!dirty && pushed.isEmpty()) {
            running = false;
            return;
          }
          readList = dirty;
          dirty = false;
          // taken whole: pushes from here on go to a fresh list
          items = pushed.isEmpty() ? List.of() : pushed;
          if (!items.isEmpty()) {
            pushed = new ArrayList<>();
          }
        }
        List<Poll> current;
        synchronized (lock) {
          current = new ArrayList<>(polls);
        }
        if (current.isEmpty()) {
          continue;
        }
        if (readList && !readList(current)) {
          if (!items.isEmpty()) {
            synchronized (this) {
              pushed.addAll(0, items);
            }
          }
          if (isClosed()) {
            synchronized (this) {
              running = false;
            }
            return;
          }
          continue;
        }
        boolean gap = false;
        for (Pushed item : items) {
          for (Poll poll : current) {
            if (poll.seen == item.index) {
              deliver(poll, item.report);
            } else if (poll.seen < item.index) {
              gap = true; // a report this poll has not seen is only in the list
            }
          }
        }
        if (gap) {
          synchronized (this) {
            dirty = true;
          }
        }
      }
    }

    /** Reads the list from the lowest index a poll needs; false (after a pause) if that failed. */
    private boolean readList(List<Poll> current) {
      long from = Long.MAX_VALUE;
      for (Poll poll : current) {
        from = Math.min(from, poll.seen);
      }
      List<byte[]> reports;
      try {
        reports = BrokerCore.await(redis.lrange(listKey, from, -1));
        failures = 0;
      } catch (RuntimeException e) {
        if (isClosed()) {
          return false;
        }
        if (failures++ == 0) {
          events.emit(
              EventLevel.WARNING,
              EventCode.CONNECTION,
              "reading the reports of " + key + " failed (retrying): " + e.getMessage(),
              key,
              e);
        }
        // a read that fails (a server still loading its data after a restart answers LOADING)
        // is retried: the wake-ups that led here were consumed, and none may come again
        synchronized (this) {
          dirty = true;
        }
        LockSupport.parkNanos(
            TimeUnit.MILLISECONDS.toNanos(Math.min(1_000, 50L << Math.min(failures, 5))));
        return false;
      }
      long end = from + reports.size();
      for (Poll poll : current) {
        while (poll.seen < end) {
          if (!deliver(poll, reports.get((int) (poll.seen - from)))) {
            break;
          }
        }
      }
      return true;
    }

    /** Hands the poll its next report unless it was cancelled; false if it was. */
    private boolean deliver(Poll poll, byte[] report) {
      boolean live;
      synchronized (lock) {
        live = !poll.cancelled;
      }
      if (!live) {
        return false;
      }
      poll.seen++;
      try {
        poll.sink.accept(report);
      } catch (RuntimeException e) {
        events.emit(
            EventLevel.WARNING,
            EventCode.REPORT_FAILURE,
            "a poll of " + key + " threw from its sink: " + e,
            key,
            e);
      }
      return true;
    }
  }
}
