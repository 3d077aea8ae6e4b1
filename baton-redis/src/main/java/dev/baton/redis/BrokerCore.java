package dev.baton.redis;

import static dev.baton.redis.Keys.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.EnvelopeDecodeException;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The engine of {@link RedisBroker} (one queue per name) and {@link RedisSharedQueueBroker} (every
 * task on one shared queue): both are thin faces of this class, which differ only in {@code
 * sharedQueue}. When it is set, every task sent or requeued goes to that queue whatever {@link
 * TaskEnvelope#queue()} says, {@link #declare} declares it, and inspection shows that queue only
 * (other brokers' queues on the same server are not this broker's business); otherwise each task
 * goes to its own queue and inspection shows every queue on the server.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>Layout</b>: see {@link Keys}. Priorities 0-9 each have their own stream ({@code
 *       baton:q:<queue>:<p>}); a fetch reads the highest non-empty one first, so a waiting task of
 *       higher priority is delivered first (FIFO within one priority).
 *   <li><b>Delivery</b>: each subscription is a consumer of the group ({@code <broker id>-<n>}). It
 *       fetches at most {@code prefetch} minus its unsettled deliveries, with one Lua script
 *       ({@code XREADGROUP} over the priority streams), and hands them to its handler one at a time
 *       on a virtual thread. A fetch runs when the queue's notify channel ({@code baton:n:<queue>},
 *       published by every script that makes a task ready) fires, when a delivery is settled, on
 *       reconnect and on each reclaim tick. Only one fetch per subscription runs at a time ({@code
 *       running}); a wake-up during a fetch marks it {@code dirty} and it fetches again.
 *   <li><b>Lease</b>: the pending entry's idle time, measured by the server. On each reclaim tick
 *       (every quarter lease, on the {@link TimeSource}) a subscription with room claims entries
 *       idle for at least the lease ({@code XPENDING IDLE} + {@code XCLAIM}); the pending-entry
 *       counter, incremented by the claim, gives {@link Delivery#deliveryCount()}. {@link
 *       Delivery#renewLease} resets the idle time ({@code XCLAIM ... JUSTID}); an extension longer
 *       than the broker's lease is recorded in {@code baton:q:<queue>:ext} and added to the idle
 *       time required before a claim.
 *   <li><b>Settlement</b>: each of ack, release, requeue and dead-letter is one Lua script that
 *       first checks the entry is still pending for this consumer (a delivery whose lease ran out
 *       and was claimed elsewhere settles nothing, and a WARNING event says so), stores what
 *       replaces the entry (a re-added entry carrying its delivery count for release; the next
 *       attempt for requeue; a dead-letter entry) and then acknowledges and deletes the entry.
 *   <li><b>Revocation</b>: {@link #revoke} stores {@code baton:rv:<key>} and announces it on {@code
 *       baton:rvn}, which every broker subscribes to on connect and keeps in a local set. Each
 *       stream entry names its task's revocation key, and the fetch script says whether it exists;
 *       {@link #isRevoked} of a fetched task thus needs no round trip while the channel has stayed
 *       subscribed since the fetch (a disconnect falls back to {@code EXISTS}).
 *   <li><b>Delays</b>: a task whose eta is in the future goes to the sorted set {@code
 *       baton:q:<queue>:delayed}, scored by its eta in epoch milliseconds of the {@link
 *       TimeSource}, and its queue to {@code baton:due} scored by its earliest eta. Every broker
 *       instance runs the mover every 100 ms on its time source: one Lua script per due queue moves
 *       its due tasks to their streams. No task waits in a JVM's memory.
 * </ul>
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. {@code lock} guards the subscriptions by queue, the timers and {@code closed};
 * each subscription's own monitor guards its counters and flags; neither is held while a command is
 * sent to Redis or a handler runs. One command connection and one pub/sub connection per broker;
 * Lettuce reconnects them. A lost connection is reported as a WARNING {@link EventCode#CONNECTION}
 * event and its return as an INFO one, after which every subscription fetches again (notifications
 * sent while it was down are not replayed). Stages of {@link #send}, {@link #revoke} and
 * settlements fail with the server's or the connection's error; after {@link #close()} they fail
 * with {@link IllegalStateException}, and {@link #declare}, {@link #subscribe} and the inspection
 * methods throw it. Synchronous calls wait at most 10 seconds for Redis and then throw {@link
 * IllegalStateException}.
 *
 * <p>Limits of this first cut: a released task goes to the tail of its priority stream (the
 * in-memory broker puts it at the head); delay precision is the mover's 100 ms tick; leases of
 * different brokers on one server share the server's clock, and etas are compared with each
 * broker's own time source.
 */
final class BrokerCore implements TaskProducer, NamedTaskConsumer, BrokerInspection {

  private static final Duration MOVE_INTERVAL = Duration.ofMillis(100);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
  private static final int MOVE_LIMIT = 100;
  private static final int ANNOUNCED_PRUNE_SIZE = 1_024;
  private static final Pattern ENTRY_ID = Pattern.compile("\\d+-\\d+");

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private final TimeSource time;
  private final Duration lease;
  private final Duration livenessWindow;
  private final Duration reclaimInterval;
  private final @Nullable String sharedQueue;
  private final String instanceId = UUID.randomUUID().toString();
  private final AttachedContexts events = new AttachedContexts();
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("baton-redis-broker-", 0).factory());
  private final AtomicBoolean moving = new AtomicBoolean();
  private final AtomicBoolean moveRequested = new AtomicBoolean();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  private final AtomicLong consumerSeq = new AtomicLong();

  /**
   * Revocations announced on {@link Keys#REVOCATIONS} since connecting: revocation key to the
   * {@link System#nanoTime} it expires at. Expired ones are pruned as it grows.
   */
  private final ConcurrentHashMap<String, Long> announced = new ConcurrentHashMap<>();

  /**
   * What the fetch of each unsettled delivery said of its revocation key; removed on settlement.
   */
  private final ConcurrentHashMap<String, Fetched> fetched = new ConcurrentHashMap<>();

  /** Incremented on every disconnect: an announcement may have been lost. */
  private final AtomicLong epoch = new AtomicLong();

  /** Whether the revocation channel is subscribed (false from a disconnect until resubscribed). */
  private volatile boolean announcing;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Map<String, List<Sub>> subscriptions = new HashMap<>();

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private @Nullable Scheduled moverTimer;

  @GuardedBy("lock")
  private @Nullable Scheduled reclaimTimer;

  private BrokerCore(
      RedisClient client,
      StatefulRedisConnection<byte[], byte[]> connection,
      StatefulRedisPubSubConnection<byte[], byte[]> pubsub,
      TimeSource time,
      Duration lease,
      Duration livenessWindow,
      @Nullable String sharedQueue) {
    this.client = client;
    this.sharedQueue = sharedQueue;
    this.connection = connection;
    this.redis = connection.async();
    this.pubsub = pubsub;
    this.time = time;
    this.lease = lease;
    this.livenessWindow = livenessWindow;
    Duration quarter = lease.dividedBy(4);
    this.reclaimInterval =
        quarter.compareTo(Duration.ofMillis(50)) < 0
            ? Duration.ofMillis(50)
            : quarter.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : quarter;
  }

  /**
   * Connects to the Redis server at {@code uri} (read by {@link RedisConnections}).
   *
   * @param sharedQueue the queue every task goes to, or null for one queue per task's own queue
   * @throws IllegalArgumentException if a duration is not positive, {@code sharedQueue} is blank,
   *     or the URI is not usable
   * @throws io.lettuce.core.RedisConnectionException if connecting fails
   */
  static BrokerCore connect(
      URI uri,
      TimeSource time,
      Duration lease,
      Duration livenessWindow,
      @Nullable String sharedQueue) {
    requireNonNull(uri, "uri");
    requireNonNull(time, "time");
    if (sharedQueue != null) {
      requireQueue(sharedQueue);
    }
    if (lease.isNegative()
        || lease.isZero()
        || livenessWindow.isNegative()
        || livenessWindow.isZero()) {
      throw new IllegalArgumentException("lease and liveness window must be positive");
    }
    StateListener listener = new StateListener();
    RedisConnections.Connected connected = RedisConnections.open(uri, listener);
    BrokerCore broker =
        new BrokerCore(
            connected.client(),
            connected.connection(),
            connected.pubsub(),
            time,
            lease,
            livenessWindow,
            sharedQueue);
    try {
      broker.start(listener);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  private void start(StateListener listener) {
    listener.broker = this;
    pubsub.addListener(
        new RedisPubSubAdapter<byte[], byte[]>() {
          @Override
          public void message(byte[] channel, byte[] message) {
            if (Arrays.equals(channel, Keys.REVOCATIONS)) {
              onRevocation(message);
            } else {
              onNotify(new String(channel, UTF_8));
            }
          }

          @Override
          public void subscribed(byte[] channel, long count) {
            if (Arrays.equals(channel, Keys.REVOCATIONS)) {
              announcing = true;
            }
          }
        });
    var _ = await(pubsub.async().subscribe(Keys.REVOCATIONS));
    announcing = true;
    synchronized (lock) {
      moverTimer = time.schedule(MOVE_INTERVAL, this::moverTick);
      reclaimTimer = time.schedule(reclaimInterval, this::reclaimTick);
    }
  }

  /** Relays the client's connection events to the broker once it exists. */
  private static final class StateListener implements RedisConnectionStateListener {
    volatile @Nullable BrokerCore broker;

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      BrokerCore b = broker;
      if (b != null) {
        b.onConnected(address);
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      BrokerCore b = broker;
      if (b != null) {
        b.onDisconnected();
      }
    }
  }

  private void onConnected(SocketAddress address) {
    if (disconnected.compareAndSet(true, false)) {
      events.emit(
          EventLevel.INFO,
          EventCode.CONNECTION,
          "Redis broker reconnected to " + address,
          null,
          null);
    }
    wakeAll(true);
  }

  private void onDisconnected() {
    // revocations announced from now until the channel is subscribed again are never received
    announcing = false;
    epoch.incrementAndGet();
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    if (disconnected.compareAndSet(false, true)) {
      events.emit(
          EventLevel.WARNING,
          EventCode.CONNECTION,
          "Redis broker lost its connection; reconnecting",
          null,
          null);
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

  // ---- producer ----

  /**
   * Records {@code queue} in {@code baton:queues}, so inspection lists it and tasks sent to it are
   * kept (streams keep entries whether or not anyone reads them). Idempotent.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public void declare(String queue) {
    requireQueue(queue);
    checkOpen();
    var _ = await(redis.sadd(Keys.QUEUES, bytes(sharedQueue != null ? sharedQueue : queue)));
  }

  /**
   * Adds the task to its priority's stream, or to the queue's delayed set if its eta is later than
   * the time source's now. The stage completes when Redis has executed the write.
   */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    requireNonNull(task, "task");
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    byte[] body;
    try {
      body = EnvelopeCodec.encode(task);
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
    String queue = queueOf(task);
    int priority = priority(task);
    Instant eta = task.eta();
    CompletableFuture<Long> result;
    if (eta != null && eta.isAfter(time.now())) {
      result =
          BrokerScripts.SEND_DELAYED.run(
              redis,
              ScriptOutputType.INTEGER,
              new byte[][] {Keys.delayed(queue), Keys.delayedBodies(queue), Keys.DUE, Keys.QUEUES},
              bytes(priority + ":" + UUID.randomUUID()),
              bytes(Long.toString(eta.toEpochMilli())),
              body,
              bytes(queue));
    } else {
      result =
          BrokerScripts.SEND.run(
              redis,
              ScriptOutputType.INTEGER,
              new byte[][] {Keys.stream(queue, priority), Keys.QUEUES},
              Keys.GROUP,
              body,
              bytes(queue),
              Keys.notifyChannel(queue),
              Keys.revoked(task.key()));
    }
    return result.thenApply(r -> null);
  }

  /**
   * Sets {@code baton:rv:<key>} to expire at {@code until} (measured from the time source's now);
   * nothing is written if {@code until} has passed.
   */
  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    requireNonNull(key, "key");
    requireNonNull(until, "until");
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    long millis = Duration.between(time.now(), until).toMillis();
    if (millis <= 0) {
      return CompletableFuture.completedStage(null);
    }
    return BrokerScripts.REVOKE
        .<Long>run(
            redis,
            ScriptOutputType.INTEGER,
            new byte[][] {Keys.revoked(key)},
            bytes(Long.toString(millis)),
            Keys.REVOCATIONS)
        .thenApply(r -> null);
  }

  // ---- consumer ----

  /**
   * Starts a consumer of {@code queue}'s group; deliveries arrive on a virtual thread of this
   * broker, one at a time.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1 or {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public Subscription subscribe(String queue, int prefetch, DeliveryHandler handler) {
    requireQueue(queue);
    requireNonNull(handler, "handler");
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
    }
    Sub sub = new Sub(queue, prefetch, handler, instanceId + "-" + consumerSeq.incrementAndGet());
    boolean first;
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      List<Sub> subs = subscriptions.computeIfAbsent(queue, q -> new ArrayList<>());
      first = subs.isEmpty();
      subs.add(sub);
    }
    if (first) {
      try {
        var _ = await(pubsub.async().subscribe(Keys.notifyChannel(queue)));
      } catch (RuntimeException e) {
        sub.cancel();
        throw e;
      }
    }
    sub.wake(false);
    return sub;
  }

  /**
   * Whether {@code key} is revoked, without a round trip for a task this broker fetched: true if
   * its revocation was announced to this broker (and has not expired); false if the fetch found it
   * unrevoked and the revocation channel has stayed subscribed since before that fetch (every later
   * revocation would have been announced); else {@code EXISTS baton:rv:<key>}, waiting at most 10
   * seconds. A revocation still on its way on the pub/sub connection when this is called is not
   * seen, as one stored just after an {@code EXISTS} would not be.
   */
  @Override
  public boolean isRevoked(TaskKey key) {
    requireNonNull(key, "key");
    checkOpen();
    String name = Keys.revokedName(key);
    Long deadline = announced.get(name);
    if (deadline != null) {
      if (deadline - System.nanoTime() > 0) {
        return true;
      }
      announced.remove(name, deadline);
    }
    Fetched flag = fetched.get(name);
    if (flag != null && !flag.revoked() && flag.epoch() >= 0 && flag.epoch() == epoch.get()) {
      return false;
    }
    Long n = await(redis.exists(Keys.revoked(key)));
    return n != null && n > 0;
  }

  /**
   * Stores the heartbeat under {@code baton:hb:<worker>} for the liveness window; does not wait (a
   * failure is reported as a WARNING {@code CONNECTION} event).
   */
  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    requireNonNull(heartbeat, "heartbeat");
    if (isClosed()) {
      return;
    }
    byte[] id = bytes(heartbeat.workerId());
    var set =
        redis.set(
            Keys.heartbeat(heartbeat.workerId()),
            EnvelopeCodec.encode(heartbeat),
            SetArgs.Builder.px(livenessWindow.toMillis()));
    var add = redis.sadd(Keys.WORKERS, id);
    var _ =
        CompletableFuture.allOf(set.toCompletableFuture(), add.toCompletableFuture())
            .whenComplete(
                (v, e) -> {
                  if (e != null) {
                    events.emit(
                        EventLevel.WARNING,
                        EventCode.CONNECTION,
                        "heartbeat of " + heartbeat.workerId() + " not stored: " + e,
                        null,
                        e);
                  }
                });
  }

  // ---- inspection ----

  /** Every queue in {@code baton:queues}, by name. */
  @Override
  public List<QueueStats> queues() {
    checkOpen();
    List<String> names = queueNames();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
    for (String queue : names) {
      byte[][] keys = new byte[Keys.PRIORITIES + 2][];
      System.arraycopy(Keys.streamsHighFirst(queue), 0, keys, 0, Keys.PRIORITIES);
      keys[Keys.PRIORITIES] = Keys.delayed(queue);
      keys[Keys.PRIORITIES + 1] = Keys.dead(queue);
      replies.add(BrokerScripts.STATS.run(redis, ScriptOutputType.MULTI, keys, Keys.GROUP));
    }
    List<QueueStats> stats = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      List<Object> r = await(replies.get(i));
      stats.add(
          new QueueStats(
              names.get(i),
              Math.max(0, asLong(r.get(0))),
              asLong(r.get(1)),
              asLong(r.get(2)),
              asLong(r.get(3))));
    }
    return stats;
  }

  /** Workers whose heartbeat key has not expired, by worker id. */
  @Override
  public List<WorkerHeartbeat> workers() {
    checkOpen();
    Set<byte[]> ids = await(redis.smembers(Keys.WORKERS));
    List<WorkerHeartbeat> workers = new ArrayList<>();
    for (byte[] id : ids) {
      String workerId = new String(id, UTF_8);
      byte[] value = await(redis.get(Keys.heartbeat(workerId)));
      if (value == null) {
        var _ = redis.srem(Keys.WORKERS, id);
      } else {
        try {
          workers.add(EnvelopeCodec.decodeHeartbeat(value));
        } catch (EnvelopeDecodeException e) {
          // written by another version of Baton: not shown, and gone with its expiry
        }
      }
    }
    workers.sort(Comparator.comparing(WorkerHeartbeat::workerId));
    return workers;
  }

  /**
   * Up to {@code limit} dead letters over every queue, oldest first. Ids are {@code <entry
   * id>@<queue>}.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<DeadLetter> deadLetters(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    checkOpen();
    List<DeadLetter> letters = new ArrayList<>();
    if (limit == 0) {
      return letters;
    }
    for (String queue : queueNames()) {
      List<StreamMessage<byte[], byte[]>> entries =
          await(redis.xrange(Keys.dead(queue), Range.create("-", "+"), Limit.from(limit)));
      for (StreamMessage<byte[], byte[]> entry : entries) {
        letters.add(deadLetter(queue, entry));
      }
    }
    letters.sort(Comparator.comparing(DeadLetter::at).thenComparing(DeadLetter::id));
    return letters.size() > limit ? new ArrayList<>(letters.subList(0, limit)) : letters;
  }

  /**
   * Adds the dead letter's body back to its queue as a new entry (delivery count 1, at its original
   * priority) and deletes the dead letter, atomically.
   */
  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    checkOpen();
    DeadLetterId id = ownDeadLetter(deadLetterId);
    if (id == null) {
      return false;
    }
    byte[][] keys = new byte[Keys.PRIORITIES + 2][];
    keys[0] = Keys.dead(id.queue());
    for (int p = 0; p < Keys.PRIORITIES; p++) {
      keys[1 + p] = Keys.stream(id.queue(), p);
    }
    keys[Keys.PRIORITIES + 1] = Keys.QUEUES;
    Long r =
        await(
            BrokerScripts.RETRY_DEAD.<Long>run(
                redis,
                ScriptOutputType.INTEGER,
                keys,
                bytes(id.entryId()),
                Keys.GROUP,
                Keys.notifyChannel(id.queue()),
                bytes(id.queue())));
    return r != null && r == 1;
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    checkOpen();
    DeadLetterId id = ownDeadLetter(deadLetterId);
    if (id == null) {
      return false;
    }
    Long r = await(redis.xdel(Keys.dead(id.queue()), id.entryId()));
    return r != null && r == 1;
  }

  /**
   * Stops the timers and subscriptions, and closes the connections. Deliveries not yet settled stay
   * pending in Redis and are claimed by other consumers when their lease runs out. Idempotent.
   */
  @Override
  public void close() {
    List<Sub> subs = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (moverTimer != null) {
        moverTimer.cancel();
      }
      if (reclaimTimer != null) {
        reclaimTimer.cancel();
      }
      for (List<Sub> list : subscriptions.values()) {
        subs.addAll(list);
      }
      subscriptions.clear();
    }
    for (Sub sub : subs) {
      sub.stop();
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

  // ---- timers ----

  private void moverTick() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      moverTimer = time.schedule(MOVE_INTERVAL, this::moverTick);
    }
    moveRequested.set(true);
    startMover();
  }

  /**
   * Starts a mover run unless one is under way; a tick during a run is remembered ({@code
   * moveRequested}) and the run goes round again, so a burst of ticks (a manual clock advanced by
   * many intervals at once) still ends with a run at the latest time.
   */
  private void startMover() {
    if (moving.compareAndSet(false, true)) {
      try {
        executor.execute(this::moveDue);
      } catch (RejectedExecutionException e) {
        moving.set(false);
      }
    }
  }

  private void moveDue() {
    try {
      while (moveRequested.getAndSet(false)) {
        moveDueOnce();
      }
    } finally {
      moving.set(false);
    }
    if (moveRequested.get() && !isClosed()) {
      startMover();
    }
  }

  private void moveDueOnce() {
    try {
      long now = time.now().toEpochMilli();
      List<byte[]> due =
          await(
              redis.zrangebyscore(
                  Keys.DUE,
                  Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now)),
                  Limit.create(0, MOVE_LIMIT)));
      for (byte[] q : due) {
        String queue = new String(q, UTF_8);
        byte[][] keys = new byte[3 + Keys.PRIORITIES][];
        keys[0] = Keys.delayed(queue);
        keys[1] = Keys.delayedBodies(queue);
        keys[2] = Keys.DUE;
        for (int p = 0; p < Keys.PRIORITIES; p++) {
          keys[3 + p] = Keys.stream(queue, p);
        }
        Long moved;
        do {
          moved =
              await(
                  BrokerScripts.MOVE.<Long>run(
                      redis,
                      ScriptOutputType.INTEGER,
                      keys,
                      q,
                      bytes(Long.toString(now)),
                      bytes(Integer.toString(MOVE_LIMIT)),
                      Keys.GROUP,
                      Keys.notifyChannel(queue)));
        } while (moved != null && moved >= MOVE_LIMIT);
      }
    } catch (RuntimeException e) {
      if (!isClosed()) {
        events.emit(
            EventLevel.WARNING,
            EventCode.CONNECTION,
            "moving delayed tasks failed: " + e.getMessage(),
            null,
            e);
      }
    }
  }

  private void reclaimTick() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      reclaimTimer = time.schedule(reclaimInterval, this::reclaimTick);
    }
    wakeAll(true);
  }

  private void wakeAll(boolean reclaim) {
    List<Sub> subs = new ArrayList<>();
    synchronized (lock) {
      for (List<Sub> list : subscriptions.values()) {
        subs.addAll(list);
      }
    }
    for (Sub sub : subs) {
      sub.wake(reclaim);
    }
  }

  /** A revocation announced by {@link #revoke}: {@code <millis to live>:<revocation key>}. */
  private void onRevocation(byte[] message) {
    String text = new String(message, UTF_8);
    int colon = text.indexOf(':');
    long millis;
    try {
      millis = colon < 0 ? -1 : Long.parseLong(text.substring(0, colon));
    } catch (NumberFormatException e) {
      millis = -1;
    }
    if (millis <= 0) {
      return; // not a revocation of ours; EXISTS still answers for it
    }
    long now = System.nanoTime();
    if (announced.size() >= ANNOUNCED_PRUNE_SIZE) {
      announced.values().removeIf(deadline -> deadline - now <= 0);
    }
    announced.put(text.substring(colon + 1), now + TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private void onNotify(String channel) {
    String prefix = Keys.PREFIX + "n:";
    if (!channel.startsWith(prefix)) {
      return;
    }
    String queue = channel.substring(prefix.length());
    List<Sub> subs;
    synchronized (lock) {
      List<Sub> list = subscriptions.get(queue);
      subs = list == null ? List.of() : new ArrayList<>(list);
    }
    for (Sub sub : subs) {
      sub.wake(false);
    }
  }

  private void removeSub(Sub sub) {
    boolean last;
    synchronized (lock) {
      List<Sub> list = subscriptions.get(sub.queue);
      if (list == null || !list.remove(sub)) {
        return;
      }
      last = list.isEmpty();
      if (last) {
        subscriptions.remove(sub.queue);
      }
      if (closed) {
        return;
      }
    }
    if (last) {
      var _ = pubsub.async().unsubscribe(Keys.notifyChannel(sub.queue));
    }
  }

  // ---- subscriptions and deliveries ----

  /**
   * One consumer of a queue's group. Its state (unsettled count, whether a fetch runs, whether a
   * wake-up or reclaim came during it) is guarded by the object's monitor; fetching and handing out
   * run on one virtual thread at a time.
   */
  private final class Sub implements Subscription {
    final String queue;
    final int prefetch;
    final DeliveryHandler handler;
    final String consumer;

    @GuardedBy("this")
    int inFlight;

    @GuardedBy("this")
    boolean running;

    @GuardedBy("this")
    boolean dirty;

    @GuardedBy("this")
    boolean reclaim;

    @GuardedBy("this")
    boolean cancelled;

    /** The keys of {@link BrokerScripts#FETCH}: never written, so shared by every fetch. */
    final byte[][] fetchKeys;

    final byte[] consumerBytes;

    Sub(String queue, int prefetch, DeliveryHandler handler, String consumer) {
      this.queue = queue;
      this.prefetch = prefetch;
      this.handler = handler;
      this.consumer = consumer;
      this.consumerBytes = bytes(consumer);
      this.fetchKeys = new byte[Keys.PRIORITIES + 1][];
      System.arraycopy(Keys.streamsHighFirst(queue), 0, fetchKeys, 0, Keys.PRIORITIES);
      fetchKeys[Keys.PRIORITIES] = Keys.ext(queue);
    }

    void wake(boolean reclaimToo) {
      synchronized (this) {
        if (cancelled) {
          return;
        }
        dirty = true;
        if (reclaimToo) {
          reclaim = true;
        }
        if (running) {
          return;
        }
        running = true;
      }
      try {
        executor.execute(this::pump);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          running = false;
        }
      }
    }

    private void pump() {
      while (true) {
        int room;
        boolean claim;
        synchronized (this) {
          if (cancelled || inFlight >= prefetch) {
            running = false;
            return;
          }
          room = prefetch - inFlight;
          dirty = false;
          claim = reclaim;
          reclaim = false;
        }
        // sampled before the fetch: if the channel stays subscribed from here until the check,
        // every
        // revocation after the fetch is announced
        long fetchEpoch = announcing ? epoch.get() : -1;
        List<Object> out;
        try {
          out =
              await(
                  BrokerScripts.FETCH.<List<Object>>run(
                      redis,
                      ScriptOutputType.MULTI,
                      fetchKeys,
                      Keys.GROUP,
                      consumerBytes,
                      bytes(Integer.toString(room)),
                      bytes(claim ? "1" : "0"),
                      bytes(Long.toString(lease.toMillis()))));
        } catch (RuntimeException e) {
          synchronized (this) {
            running = false;
            reclaim |= claim;
          }
          if (!isClosed()) {
            events.emit(
                EventLevel.WARNING,
                EventCode.CONNECTION,
                "fetching tasks of " + queue + " failed: " + e.getMessage(),
                null,
                e);
          }
          return;
        }
        int got = out.size() / 6;
        Instant leaseEnd = time.now().plus(lease);
        for (int i = 0; i < got; i++) {
          long revoked = asLong(out.get(6 * i + 4));
          String revocationKey = asString(out.get(6 * i + 5));
          Fetched flag = null;
          if (revoked >= 0) {
            flag = new Fetched(revoked == 1, fetchEpoch);
            fetched.put(revocationKey, flag);
          }
          RedisDelivery delivery =
              new RedisDelivery(
                  this,
                  (int) asLong(out.get(6 * i)),
                  asString(out.get(6 * i + 1)),
                  asBytes(out.get(6 * i + 2)),
                  (int) asLong(out.get(6 * i + 3)),
                  leaseEnd,
                  revocationKey,
                  flag);
          boolean deliver;
          synchronized (this) {
            deliver = !cancelled;
            if (deliver) {
              inFlight++;
            }
          }
          if (deliver) {
            try {
              handler.onDelivery(delivery);
            } catch (RuntimeException e) {
              events.emit(
                  EventLevel.ERROR,
                  EventCode.TASK_DELIVERY_FAILURE,
                  "delivery handler of " + queue + " threw: " + e,
                  null,
                  e);
            }
          } else {
            delivery.giveBack();
          }
        }
        synchronized (this) {
          if (!dirty && !reclaim && got < room) {
            running = false;
            return;
          }
        }
      }
    }

    void settled() {
      boolean forget;
      synchronized (this) {
        inFlight--;
        forget = cancelled && inFlight == 0;
      }
      if (forget) {
        forget();
      } else {
        wake(false);
      }
    }

    /**
     * Removes this consumer from the group once it holds nothing, so consumers of cancelled
     * subscriptions do not pile up in {@code XINFO CONSUMERS}. Best effort, does not wait.
     */
    void forget() {
      if (isClosed()) {
        return;
      }
      var _ =
          BrokerScripts.FORGET_CONSUMER.run(
              redis,
              ScriptOutputType.INTEGER,
              Keys.streamsHighFirst(queue),
              Keys.GROUP,
              bytes(consumer));
    }

    /** Stops without unsubscribing (the broker is closing). */
    void stop() {
      synchronized (this) {
        cancelled = true;
      }
    }

    @Override
    public void cancel() {
      boolean idle;
      synchronized (this) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        idle = inFlight == 0 && !running;
      }
      removeSub(this);
      if (idle) {
        forget();
      }
    }
  }

  /** A delivery: one pending entry held by a subscription's consumer. */
  private final class RedisDelivery implements Delivery {
    private final Sub sub;
    private final int priority;
    private final String id;
    private final byte[] body;
    private final int deliveryCount;
    private final String revocationKey;
    private final @Nullable Fetched flag;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Instant leaseExpiresAt;

    RedisDelivery(
        Sub sub,
        int priority,
        String id,
        byte[] body,
        int deliveryCount,
        Instant lease,
        String revocationKey,
        @Nullable Fetched flag) {
      this.sub = sub;
      this.priority = priority;
      this.id = id;
      this.body = body;
      this.deliveryCount = Math.max(1, deliveryCount);
      this.leaseExpiresAt = lease;
      this.revocationKey = revocationKey;
      this.flag = flag;
    }

    /** Drops what the fetch said of the revocation key: the task is leaving this consumer. */
    private void forgetFlag() {
      if (flag != null) {
        fetched.remove(revocationKey, flag);
      }
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    @Override
    public String queue() {
      return sub.queue;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public Instant leaseExpiresAt() {
      return leaseExpiresAt;
    }

    private byte[] field() {
      return bytes(priority + ":" + id);
    }

    private byte[][] keys(byte[]... more) {
      byte[][] keys = new byte[2 + more.length][];
      keys[0] = Keys.stream(sub.queue, priority);
      keys[1] = Keys.ext(sub.queue);
      System.arraycopy(more, 0, keys, 2, more.length);
      return keys;
    }

    private byte[][] args(byte[]... more) {
      byte[][] args = new byte[4 + more.length][];
      args[0] = Keys.GROUP;
      args[1] = sub.consumerBytes;
      args[2] = bytes(id);
      args[3] = field();
      System.arraycopy(more, 0, args, 4, more.length);
      return args;
    }

    @Override
    public CompletionStage<Void> ack() {
      return settle(
          "ack", () -> BrokerScripts.ACK.run(redis, ScriptOutputType.INTEGER, keys(), args()));
    }

    @Override
    public CompletionStage<Void> release() {
      return settle(
          "release",
          () ->
              BrokerScripts.RELEASE.run(
                  redis,
                  ScriptOutputType.INTEGER,
                  keys(),
                  args(
                      body,
                      bytes(Integer.toString(deliveryCount)),
                      Keys.notifyChannel(sub.queue),
                      bytes(revocationKey))));
    }

    /** Puts an entry fetched after its subscription was cancelled back, uncounted. */
    void giveBack() {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      forgetFlag();
      var _ =
          BrokerScripts.RELEASE.run(
              redis,
              ScriptOutputType.INTEGER,
              keys(),
              args(
                  body,
                  bytes(Integer.toString(deliveryCount - 1)),
                  Keys.notifyChannel(sub.queue),
                  bytes(revocationKey)));
    }

    @Override
    public CompletionStage<Void> requeue(TaskEnvelope next) {
      requireNonNull(next, "next");
      byte[] nextBody;
      try {
        nextBody = EnvelopeCodec.encode(next);
      } catch (RuntimeException e) {
        return CompletableFuture.failedStage(e);
      }
      String nextQueue = queueOf(next);
      Instant eta = next.eta();
      if (eta != null && eta.isAfter(time.now())) {
        return settle(
            "requeue",
            () ->
                BrokerScripts.REQUEUE_LATER.run(
                    redis,
                    ScriptOutputType.INTEGER,
                    keys(
                        Keys.delayed(nextQueue),
                        Keys.delayedBodies(nextQueue),
                        Keys.DUE,
                        Keys.QUEUES),
                    args(
                        nextBody,
                        bytes(nextQueue),
                        bytes(priority(next) + ":" + UUID.randomUUID()),
                        bytes(Long.toString(eta.toEpochMilli())))));
      }
      return settle(
          "requeue",
          () ->
              BrokerScripts.REQUEUE_NOW.run(
                  redis,
                  ScriptOutputType.INTEGER,
                  keys(Keys.stream(nextQueue, priority(next)), Keys.QUEUES),
                  args(
                      nextBody,
                      bytes(nextQueue),
                      Keys.notifyChannel(nextQueue),
                      Keys.revoked(next.key()))));
    }

    @Override
    public CompletionStage<Void> deadLetter(TaskError error) {
      requireNonNull(error, "error");
      TaskKey key = keyOf(body);
      return settle(
          "deadLetter",
          () ->
              BrokerScripts.DEAD_LETTER.run(
                  redis,
                  ScriptOutputType.INTEGER,
                  keys(Keys.dead(sub.queue), Keys.QUEUES),
                  args(
                      body,
                      bytes(Integer.toString(priority)),
                      bytes(error.code().name()),
                      bytes(error.message()),
                      bytes(Long.toString(time.now().toEpochMilli())),
                      bytes(key == null ? "" : key.name()),
                      bytes(key == null ? "" : key.id()),
                      bytes(sub.queue))));
    }

    @Override
    public CompletionStage<Void> renewLease(Duration extension) {
      requireNonNull(extension, "extension");
      if (settled.get()) {
        return CompletableFuture.completedStage(null);
      }
      if (isClosed()) {
        return CompletableFuture.failedStage(closedException());
      }
      long extra = Math.max(0, extension.minus(lease).toMillis());
      Instant newExpiry = time.now().plus(extension);
      CompletableFuture<Long> r =
          BrokerScripts.RENEW.run(
              redis, ScriptOutputType.INTEGER, keys(), args(bytes(Long.toString(extra))));
      return r.thenAccept(
          n -> {
            if (n != null && n == 1) {
              leaseExpiresAt = newExpiry;
            }
          });
    }

    private CompletionStage<Void> settle(
        String what, java.util.function.Supplier<CompletableFuture<Long>> op) {
      if (!settled.compareAndSet(false, true)) {
        events.emit(
            EventLevel.WARNING,
            EventCode.TASK_DELIVERY_FAILURE,
            what + " of a delivery of " + sub.queue + " that was already settled; ignored",
            keyOf(body),
            null);
        return CompletableFuture.completedStage(null);
      }
      forgetFlag();
      if (isClosed()) {
        return CompletableFuture.failedStage(closedException());
      }
      CompletableFuture<Long> result;
      try {
        result = op.get();
      } catch (RuntimeException e) {
        sub.settled();
        return CompletableFuture.failedStage(e);
      }
      return result
          .<Void>thenApply(
              n -> {
                if (n == null || n != 1) {
                  events.emit(
                      EventLevel.WARNING,
                      EventCode.TASK_DELIVERY_FAILURE,
                      what
                          + " of a delivery of "
                          + sub.queue
                          + " came after its lease ran out (another consumer holds it); ignored",
                      keyOf(body),
                      null);
                }
                return null;
              })
          .whenComplete((v, e) -> sub.settled());
    }
  }

  // ---- helpers ----

  /**
   * Whether a fetch found a task's revocation key, and the {@link #epoch} it was fetched in (-1 if
   * the revocation channel was not subscribed then).
   */
  private record Fetched(boolean revoked, long epoch) {}

  private record DeadLetterId(String entryId, String queue) {
    static @Nullable DeadLetterId parse(String id) {
      requireNonNull(id, "deadLetterId");
      int at = id.indexOf('@');
      if (at < 0) {
        return null;
      }
      String entry = id.substring(0, at);
      String queue = id.substring(at + 1);
      if (!ENTRY_ID.matcher(entry).matches() || queue.isEmpty()) {
        return null;
      }
      return new DeadLetterId(entry, queue);
    }
  }

  /** The parsed id, or null if it is malformed or (for a shared queue) of another queue. */
  private @Nullable DeadLetterId ownDeadLetter(String deadLetterId) {
    DeadLetterId id = DeadLetterId.parse(deadLetterId);
    if (id == null || (sharedQueue != null && !sharedQueue.equals(id.queue()))) {
      return null;
    }
    return id;
  }

  private static DeadLetter deadLetter(String queue, StreamMessage<byte[], byte[]> entry) {
    Map<String, byte[]> fields = new HashMap<>();
    for (Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
      fields.put(new String(f.getKey(), UTF_8), f.getValue());
    }
    byte[] body = fields.getOrDefault("b", new byte[0]);
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(text(fields.get("code")));
    } catch (IllegalArgumentException e) {
      code = ErrorCode.GENERIC;
    }
    TaskError error = new TaskError(code, text(fields.get("msg")));
    Instant at;
    try {
      at = Instant.ofEpochMilli(Long.parseLong(text(fields.get("at"))));
    } catch (NumberFormatException e) {
      at = Instant.EPOCH;
    }
    byte[] name = fields.get("n");
    byte[] taskId = fields.get("i");
    TaskKey key =
        name == null || taskId == null
            ? null
            : new TaskKey(new String(name, UTF_8), new String(taskId, UTF_8));
    return new DeadLetter(entry.getId() + "@" + queue, queue, key, error, at, body);
  }

  private static String text(byte @Nullable [] b) {
    return b == null ? "" : new String(b, UTF_8);
  }

  private static @Nullable TaskKey keyOf(byte[] body) {
    try {
      return EnvelopeCodec.decodeTask(body).key();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int priority(TaskEnvelope task) {
    return Math.max(0, Math.min(Keys.PRIORITIES - 1, task.priority()));
  }

  /** The queue {@code task} is stored on: the shared queue if there is one, else its own. */
  private String queueOf(TaskEnvelope task) {
    return sharedQueue != null ? sharedQueue : task.queue();
  }

  /** The queues inspection shows: the shared queue only, or every queue on the server. */
  private List<String> queueNames() {
    if (sharedQueue != null) {
      return List.of(sharedQueue);
    }
    Set<byte[]> members = await(redis.smembers(Keys.QUEUES));
    Set<String> names = new HashSet<>();
    for (byte[] m : members) {
      names.add(new String(m, UTF_8));
    }
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(Comparator.naturalOrder());
    return sorted;
  }

  static long asLong(@Nullable Object o) {
    if (o instanceof Long l) {
      return l;
    }
    if (o instanceof byte[] b) {
      return Long.parseLong(new String(b, UTF_8));
    }
    throw new IllegalStateException("unexpected reply from Redis: " + o);
  }

  static String asString(@Nullable Object o) {
    return new String(asBytes(o), UTF_8);
  }

  static byte[] asBytes(@Nullable Object o) {
    if (o instanceof byte[] b) {
      return b;
    }
    if (o instanceof String s) {
      return bytes(s);
    }
    throw new IllegalStateException("unexpected reply from Redis: " + o);
  }

  /** Waits up to the command timeout for {@code future}, turning failures into unchecked ones. */
  static <T> T await(Future<T> future) {
    try {
      return future.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Redis", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("Redis command failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis did not answer within " + COMMAND_TIMEOUT, e);
    }
  }

  private static void requireQueue(String queue) {
    requireNonNull(queue, "queue");
    if (queue.isBlank()) {
      throw new IllegalArgumentException("queue must not be blank");
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void checkOpen() {
    if (isClosed()) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("broker is closed");
  }
}
