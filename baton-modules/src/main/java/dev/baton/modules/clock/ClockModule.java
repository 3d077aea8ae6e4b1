package dev.baton.modules.clock;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.clock.Clock.Fire;
import dev.baton.modules.clock.Clock.Sleep;
import dev.baton.modules.clock.Clock.Tick;
import dev.baton.modules.clock.Clock.TickerId;
import dev.baton.modules.clock.Clock.TickerStart;
import dev.baton.modules.clock.Clock.TickerStop;
import dev.baton.modules.clock.Clock.TimerId;
import dev.baton.modules.clock.Clock.TimerReset;
import dev.baton.modules.clock.Clock.TimerStart;
import dev.baton.modules.clock.Clock.TimerStop;
import dev.baton.modules.clock.Clock.TimerWait;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.Scheduler;
import dev.baton.time.Scheduled;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clock module (ids 10-29): {@link Clock.Sleep}, tickers and one-shot timers on the node's
 * {@link TimeSource}, delivering ticks and fires to the owning process as messages.
 *
 * <p><b>One timer facility, chosen by measurement.</b> Every sleep, tick and timer is a task on the
 * node's time source ({@link SystemTimeSource} in production: one {@code
 * ScheduledThreadPoolExecutor} thread, a binary heap with remove-on-cancel), never a thread per
 * timer. {@code baton-bench}'s {@code TimerFacilityBenchmark} compared it with Netty's {@code
 * HashedWheelTimer} (1 ms tick) side by side (figures and command in docs/benchmarks.md): the wheel
 * is cheaper (2.4-3.3x per arm+cancel, 13.6x when each new timer is the earliest of 100,000
 * pending; half the bytes; 1.7x the fire throughput), but fires every timer about one tick late
 * (median 1.1 ms against 0.2-0.3 ms for the heap), which would double a 1 ms {@link Clock.Sleep}
 * and shift every tick. The 100-250 ns the wheel saves per timer is small beside a clock command's
 * end-to-end cost (a dispatch and two cross-thread wake-ups), so this module keeps the precise
 * heap.
 *
 * <p><b>Concurrency.</b> Handlers run on the dispatching thread and return at once; fires and ticks
 * run on the time source's thread. Each timer and ticker guards its state with its own monitor, and
 * sends its message while holding it, so a {@link Clock.TimerStop} or {@link Clock.TickerStop} that
 * has completed is never followed by a fire or a tick. Sending never blocks (a bounded mailbox
 * refuses instead), so holding the monitor across it is short.
 *
 * <p><b>Ownership.</b> Timers and tickers are {@link OwnedResources}: only the process that started
 * one can reach it (another gets {@link HandleNotFoundException}), and when that process ends,
 * however it ends, its timers and tickers are cancelled and their handles released, leaving nothing
 * scheduled. A timer also releases itself once its fire is delivered (its message sent or dropped,
 * or a {@link Clock.TimerWait} returned it), so a process that starts one timer per request does
 * not accumulate them. A pending {@link Clock.Sleep} or {@link Clock.TimerWait} watches its
 * caller's cancellation the same way; a sleep or wait yielded with a deadline watches the yield's
 * own context, cancelled at that deadline, so a timed-out one leaves nothing behind. A timer or
 * ticker started by a command with a deadline still belongs to the process ({@link OwnedResources}
 * registers on the caller's scope).
 *
 * <p><b>Failure.</b> A message that cannot be delivered (the owner's mailbox is full, or the owner
 * is ending) never throws into the timer thread: it is dropped and counted in {@link
 * #droppedMessages()}; a dropped tick is also counted in the next delivered {@link Tick#missed()}.
 * A dropped fire is lost for good (a timer fires once). Infrastructure errors are not swallowed
 * elsewhere: a command from a caller that is not a process (except {@link Clock.Sleep}) fails with
 * {@link dev.baton.modules.NotAProcessException}. When the module stops (before the scheduler, at
 * node shutdown), pending sleeps and waits fail with {@link ClockStoppedException} so their
 * processes can finish, and later commands fail the same way.
 *
 * <p>Thread-safe: one instance serves every process of one node.
 */
public final class ClockModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "clock";

  private static final Logger log = LoggerFactory.getLogger(ClockModule.class);

  private final OwnedResources<Timer> timers = new OwnedResources<>("timer");
  private final OwnedResources<Ticker> tickers = new OwnedResources<>("ticker");
  private final LongAdder droppedMessages = new LongAdder();

  /**
   * The pending sleeps and their wake-up tasks, so the module's stop can fail them (their callers
   * are still alive then: the module stops before the scheduler).
   */
  private final ConcurrentHashMap<PendingCompletion, Scheduled> sleeps = new ConcurrentHashMap<>();

  /** Set once by {@link #stop()}; every command checks it, and so does each add that raced it. */
  private volatile boolean stopped;

  /** Creates the module; it finds the time source and the scheduler in the node's services. */
  public ClockModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        Clock.SLEEP,
        Clock.TICKER_START,
        Clock.TICKER_STOP,
        Clock.TIMER_START,
        Clock.TIMER_WAIT,
        Clock.TIMER_STOP,
        Clock.TIMER_RESET);
  }

  /** The node's time source and its scheduler (to send ticks and fires). */
  @Override
  public List<String> dependsOn() {
    return List.of(SystemTimeSource.COMPONENT_NAME, Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    TimeSource time = services.require(TimeSource.KEY);
    Scheduler scheduler = services.require(Scheduler.KEY);
    registrar.register(
        Clock.SLEEP,
        Handler.forType(
            Sleep.class,
            (context, sleep, tag, receiver) -> sleep(time, context, sleep, tag, receiver)));
    registrar.register(
        Clock.TICKER_START,
        Handler.forType(
            TickerStart.class,
            (context, start, tag, receiver) ->
                receiver.completeYield(tag, startTicker(time, scheduler, context, start), null)));
    registrar.register(
        Clock.TICKER_STOP,
        Handler.forType(
            TickerStop.class,
            (context, stop, tag, receiver) -> {
              Callers.pidOf(context, "clock.TickerStop");
              requireRunning("clock.TickerStop");
              tickers.remove(context, stop.ticker().value()).stop();
              receiver.completeYield(tag, true, null);
            }));
    registrar.register(
        Clock.TIMER_START,
        Handler.forType(
            TimerStart.class,
            (context, start, tag, receiver) ->
                receiver.completeYield(tag, startTimer(time, scheduler, context, start), null)));
    registrar.register(
        Clock.TIMER_WAIT,
        Handler.forType(
            TimerWait.class,
            (context, wait, tag, receiver) -> {
              Callers.pidOf(context, "clock.TimerWait");
              requireRunning("clock.TimerWait");
              timers.get(context, wait.timer().value()).await(context, tag, receiver);
            }));
    registrar.register(
        Clock.TIMER_STOP,
        Handler.forType(
            TimerStop.class,
            (context, stop, tag, receiver) -> {
              Callers.pidOf(context, "clock.TimerStop");
              requireRunning("clock.TimerStop");
              boolean stoppedBeforeFire = timers.remove(context, stop.timer().value()).stop();
              receiver.completeYield(tag, stoppedBeforeFire, null);
            }));
    registrar.register(
        Clock.TIMER_RESET,
        Handler.forType(
            TimerReset.class,
            (context, reset, tag, receiver) -> {
              Callers.pidOf(context, "clock.TimerReset");
              requireRunning("clock.TimerReset");
              boolean wasArmed = timers.get(context, reset.timer().value()).reset(reset.delay());
              receiver.completeYield(tag, wasArmed, null);
            }));
  }

  /**
   * Stops every ticker and timer, and fails every pending {@link Clock.Sleep} and {@link
   * Clock.TimerWait} with {@link ClockStoppedException}. Their callers are usually still alive (the
   * module stops before the scheduler): failing their waits lets them finish, so the scheduler's
   * graceful shutdown does not wait its whole deadline for processes parked on a timer that will
   * never fire. Commands that arrive after this fail with {@link ClockStoppedException}.
   */
  @Override
  public void stop() {
    stopped = true;
    for (PendingCompletion sleep : List.copyOf(sleeps.keySet())) {
      failSleep(sleep);
    }
    for (Timer timer : timers.clear()) {
      timer.failForModuleStop();
    }
    for (Ticker ticker : tickers.clear()) {
      ticker.stop();
    }
  }

  /**
   * How many tick and fire messages could not be delivered since the module was created, because
   * the owner's mailbox was full or the owner was ending. Such a message is lost, not retried.
   * Best-effort, for monitoring.
   */
  public long droppedMessages() {
    return droppedMessages.sum();
  }

  /**
   * The number of live timers: armed, or fired without a topic and not yet returned by a {@link
   * Clock.TimerWait}. For tests and stats.
   */
  public int timerCount() {
    return timers.size();
  }

  /** The number of live tickers. For tests and stats. */
  public int tickerCount() {
    return tickers.size();
  }

  private void requireRunning(String command) {
    if (stopped) {
      throw new ClockStoppedException(command);
    }
  }

  // ---- sleep ----

  private void sleep(
      TimeSource time, CommandContext context, Sleep sleep, long tag, ResultReceiver receiver) {
    requireRunning("clock.Sleep");
    if (!sleep.duration().isPositive()) {
      receiver.completeYield(tag, time.now(), null);
      return;
    }
    if (context.isCancelled()) {
      // Nobody waits: schedule nothing, and complete so the runtime forgets the yield.
      receiver.completeYield(tag, null, PendingCompletion.abandoned());
      return;
    }
    PendingCompletion pending = new PendingCompletion(tag, receiver);
    Scheduled wake =
        time.schedule(
            sleep.duration(),
            () -> {
              pending.complete(time.now(), null);
              sleeps.remove(pending);
            });
    sleeps.put(pending, wake);
    if (pending.isSettled()) {
      sleeps.remove(pending); // woke before it was recorded
    }
    pending.watch(
        context,
        () -> {
          pending.abandon();
          wake.cancel();
          sleeps.remove(pending);
        });
    if (stopped) {
      failSleep(pending); // raced the module's stop
    }
  }

  private void failSleep(PendingCompletion sleep) {
    Scheduled wake = sleeps.remove(sleep);
    if (wake != null) {
      wake.cancel();
    }
    sleep.complete(null, new ClockStoppedException("clock.Sleep"));
  }

  // ---- tickers ----

  private TickerId startTicker(
      TimeSource time, Scheduler scheduler, CommandContext context, TickerStart start) {
    Pid owner = Callers.pidOf(context, "clock.TickerStart");
    requireRunning("clock.TickerStart");
    long handle = tickers.nextHandle();
    Ticker ticker =
        new Ticker(
            time,
            scheduler,
            new TickerId(handle),
            owner,
            start.topic(),
            periodNanos(start.period()));
    // Added before it starts, so a ticker is never scheduled without an entry to release it by.
    // If the owner is already gone, add stops it before returning, and start does nothing.
    tickers.add(handle, context, ticker, Ticker::stop);
    ticker.start();
    if (stopped) {
      Ticker raced = tickers.forget(handle);
      if (raced != null) {
        raced.stop();
      }
      throw new ClockStoppedException("clock.TickerStart");
    }
    return ticker.id;
  }

  private static long periodNanos(Duration period) {
    try {
      return period.toNanos();
    } catch (ArithmeticException centuries) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * One ticker. Tick {@code n} is due at {@code startNanos + n × periodNanos}: each tick schedules
   * the next from that ideal schedule, not from when it ran, so lateness does not accumulate; a
   * tick that finds it is late by whole periods skips to the latest due one and counts the skipped
   * ones as missed. The next tick is always due strictly after now (never at delay 0, whether or
   * not the owner's mailbox took the tick), so a ticker never runs the timer thread in a loop.
   */
  private final class Ticker {
    final TimeSource time;
    final Scheduler scheduler;
    final TickerId id;
    final Pid owner;
    final String topic;
    final long periodNanos;
    final long startNanos;

    @GuardedBy("this")
    boolean stopped;

    @GuardedBy("this")
    @Nullable Scheduled scheduled;

    /** The sequence of the next tick to send. */
    @GuardedBy("this")
    long nextSequence = 1;

    /** The sequence of the last tick delivered, 0 before the first. */
    @GuardedBy("this")
    long lastDelivered;

    Ticker(
        TimeSource time,
        Scheduler scheduler,
        TickerId id,
        Pid owner,
        String topic,
        long periodNanos) {
      this.time = time;
      this.scheduler = scheduler;
      this.id = id;
      this.owner = owner;
      this.topic = topic;
      this.periodNanos = periodNanos;
      this.startNanos = time.nanoTime();
    }

    /** Schedules the first tick, unless already stopped (its owner was gone when it was added). */
    synchronized void start() {
      if (!stopped) {
        scheduleNext();
      }
    }

    synchronized void stop() {
      stopped = true;
      Scheduled current = scheduled;
      scheduled = null;
      if (current != null) {
        current.cancel();
      }
    }

    /** Runs on the timer thread; never throws. */
    synchronized void tick() {
      if (stopped) {
        return;
      }
      long dueSoFar = dueCount(time.nanoTime());
      long sequence = Math.max(nextSequence, dueSoFar);
      long missed = sequence - lastDelivered - 1;
      if (deliver(
          scheduler, owner, new Message(topic, new Tick(id, time.now(), sequence, missed), null))) {
        lastDelivered = sequence;
      }
      nextSequence = sequence + 1;
      if (stopped) {
        return; // stopped during the send (re-entrantly, on this thread): do not re-arm
      }
      try {
        scheduleNext();
      } catch (IllegalStateException timeSourceClosed) {
        stopped = true; // the node is stopping
      }
    }

    /** How many ticks have fallen due by {@code nowNanos}. */
    private long dueCount(long nowNanos) {
      return Math.max(0, nowNanos - startNanos) / periodNanos;
    }

    @GuardedBy("this")
    private void scheduleNext() {
      long now = time.nanoTime();
      // Never a tick that is already due: the next one on the ideal schedule after now. Ticks
      // skipped this way are counted in the next delivered tick's missed.
      nextSequence = Math.max(nextSequence, dueCount(now) + 1);
      long dueNanos;
      try {
        dueNanos = Math.addExact(startNanos, Math.multiplyExact(nextSequence, periodNanos));
      } catch (ArithmeticException never) {
        stopped = true; // the next tick would be due after the end of time
        return;
      }
      long delay = Math.max(1, dueNanos - now);
      scheduled = time.schedule(Duration.ofNanos(delay), this::tick);
    }
  }

  // ---- timers ----

  private TimerId startTimer(
      TimeSource time, Scheduler scheduler, CommandContext context, TimerStart start) {
    Pid owner = Callers.pidOf(context, "clock.TimerStart");
    requireRunning("clock.TimerStart");
    long handle = timers.nextHandle();
    Timer timer = new Timer(time, scheduler, new TimerId(handle), owner, start.topic());
    // Added before it is armed, so a fire (at once, on another thread, for a zero delay) always
    // finds the entry it releases. If the owner is already gone, add releases the timer before
    // returning, and start does nothing.
    timers.add(handle, context, timer, Timer::release);
    timer.start(start.delay());
    if (stopped) {
      Timer raced = timers.forget(handle);
      if (raced != null) {
        raced.failForModuleStop();
      }
      throw new ClockStoppedException("clock.TimerStart");
    }
    return timer.id;
  }

  /**
   * One timer: armed (a fire is scheduled), fired (it has a fire time; only a timer without a topic
   * whose fire no wait has returned yet), or released (stopped, its fire delivered, its owner
   * ended, or the module stopped). Each arming gets a new generation, so a fire scheduled by an
   * earlier arming that races a reset does nothing.
   *
   * <p>A timer releases its own table entry once its fire is delivered (the message sent or
   * dropped, or a wait returned it), so timers started one per request do not pile up.
   */
  private final class Timer {
    final TimeSource time;
    final Scheduler scheduler;
    final TimerId id;
    final Pid owner;
    final @Nullable String topic;

    @GuardedBy("this")
    long generation;

    /** Non-null while armed. */
    @GuardedBy("this")
    @Nullable Scheduled scheduled;

    /** Non-null once fired without a topic and no waiter, until re-armed or released. */
    @GuardedBy("this")
    @Nullable Instant firedAt;

    @GuardedBy("this")
    boolean released;

    /** The pending {@link TimerWait}s; empty unless armed. */
    @GuardedBy("this")
    final List<PendingCompletion> waiters = new ArrayList<>();

    Timer(TimeSource time, Scheduler scheduler, TimerId id, Pid owner, @Nullable String topic) {
      this.time = time;
      this.scheduler = scheduler;
      this.id = id;
      this.owner = owner;
      this.topic = topic;
    }

    /** Arms a new timer, unless it was released already (its owner was gone when it was added). */
    synchronized void start(Duration delay) {
      if (!released) {
        var _ = armLocked(delay);
      }
    }

    /**
     * Arms the timer to fire {@code delay} from now; returns whether it was armed before.
     *
     * @throws HandleNotFoundException if it was released meanwhile (a stop raced this reset)
     */
    synchronized boolean reset(Duration delay) {
      if (released) {
        throw gone();
      }
      return armLocked(delay);
    }

    @GuardedBy("this")
    private boolean armLocked(Duration delay) {
      long armed = generation + 1;
      // Scheduled before the old fire is cancelled: if scheduling throws (the time source is
      // closing), the timer is left exactly as it was, still armed with its old fire.
      Scheduled next = time.schedule(delay, () -> fire(armed));
      generation = armed;
      Scheduled previous = scheduled;
      scheduled = next;
      firedAt = null;
      if (previous != null) {
        previous.cancel();
      }
      return previous != null;
    }

    /** Runs on the timer thread; never throws. */
    void fire(long armed) {
      List<PendingCompletion> toComplete;
      Instant at;
      boolean delivered;
      synchronized (this) {
        if (released || armed != generation || scheduled == null) {
          return; // stopped, released or re-armed since this fire was scheduled
        }
        scheduled = null;
        at = time.now();
        toComplete = List.copyOf(waiters);
        waiters.clear();
        delivered = topic != null || !toComplete.isEmpty();
        if (delivered) {
          // Out of the table before the owner can see the fire, so a command it sends on seeing
          // the message or the wait's result finds the handle gone. (Lock order: this monitor,
          // then the owner's cancellation lock; cancel callbacks run outside that lock.)
          released = true;
          var _ = timers.forget(id.value());
        } else {
          firedAt = at; // kept for the first TimerWait, which releases it
        }
        if (topic != null) {
          // Sent before the waits complete: once TimerWait returns, the fire message is queued.
          var _ = deliver(scheduler, owner, new Message(topic, new Fire(id, at), null));
        }
      }
      for (PendingCompletion waiter : toComplete) {
        waiter.complete(at, null);
      }
    }

    /**
     * Completes the wait at once if fired (releasing the timer), else queues it until the fire (or
     * a stop).
     */
    void await(CommandContext context, long tag, ResultReceiver receiver) {
      PendingCompletion waiter = new PendingCompletion(tag, receiver);
      Instant fired;
      synchronized (this) {
        if (released) {
          throw gone();
        }
        fired = firedAt;
        if (fired == null) {
          waiters.add(waiter);
        } else {
          released = true; // this wait delivers the fire
          var _ = timers.forget(id.value());
        }
      }
      if (fired != null) {
        receiver.completeYield(tag, fired, null);
        return;
      }
      waiter.watch(
          context,
          () -> {
            waiter.abandon();
            synchronized (this) {
              waiters.remove(waiter);
            }
          });
    }

    /**
     * Stops the timer for {@link TimerStop}: returns whether it was armed; pending waits fail with
     * {@link TimerStoppedException}.
     */
    boolean stop() {
      List<PendingCompletion> toFail;
      boolean wasArmed;
      synchronized (this) {
        if (released) {
          throw gone(); // its fire was delivered just as the owner stopped it
        }
        wasArmed = scheduled != null;
        toFail = releaseLocked();
      }
      TimerStoppedException stopped = new TimerStoppedException(id);
      for (PendingCompletion waiter : toFail) {
        waiter.complete(null, stopped);
      }
      return wasArmed;
    }

    /** Releases the timer because its owner ended; its waits are abandoned. */
    void release() {
      List<PendingCompletion> toAbandon;
      synchronized (this) {
        toAbandon = releaseLocked();
      }
      toAbandon.forEach(PendingCompletion::abandon); // completes: outside the timer's lock
    }

    /** Releases the timer because the module stops; its waits fail with ClockStoppedException. */
    void failForModuleStop() {
      List<PendingCompletion> toFail;
      synchronized (this) {
        toFail = releaseLocked();
      }
      for (PendingCompletion waiter : toFail) {
        waiter.complete(null, new ClockStoppedException("clock.TimerWait on timer " + id.value()));
      }
    }

    /** The error for a command that finds the timer released. */
    private RuntimeException gone() {
      return ClockModule.this.stopped
          ? new ClockStoppedException("clock.TimerWait on timer " + id.value())
          : new HandleNotFoundException("timer", id.value());
    }

    @GuardedBy("this")
    private List<PendingCompletion> releaseLocked() {
      released = true;
      Scheduled current = scheduled;
      scheduled = null;
      firedAt = null;
      if (current != null) {
        current.cancel();
      }
      List<PendingCompletion> pending = List.copyOf(waiters);
      waiters.clear();
      return pending;
    }
  }

  // ---- delivery ----

  /**
   * Sends {@code message} to {@code owner}; returns whether it was queued. Called on the timer
   * thread, so it never throws: a full mailbox or an owner that is ending drops the message (the
   * owner's cancellation releases the timer or ticker soon after).
   */
  private boolean deliver(Scheduler scheduler, Pid owner, Message message) {
    try {
      scheduler.send(owner, message);
      return true;
    } catch (MailboxFullException full) {
      droppedMessages.increment();
      log.debug("dropped {} for {}: its mailbox is full", message.topic(), owner);
      return false;
    } catch (ProcessNotFoundException ended) {
      droppedMessages.increment();
      return false;
    } catch (RuntimeException e) {
      droppedMessages.increment();
      log.warn("could not deliver {} to {}", message.topic(), owner, e);
      return false;
    }
  }

  /**
   * The completion of one waiting command ({@link Sleep}, {@link TimerWait}): completes its tag at
   * most once, and unhooks its cancellation callback when it does, so a long-lived process does not
   * accumulate callbacks of finished waits.
   */
  private static final class PendingCompletion {
    /** Marks a completion that has happened or been abandoned. */
    private static final Registration DONE = () -> false;

    private final long tag;
    private final ResultReceiver receiver;

    /** Null until watched; then the cancellation callback; {@link #DONE} once settled. */
    private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

    PendingCompletion(long tag, ResultReceiver receiver) {
      this.tag = tag;
      this.receiver = requireNonNull(receiver, "receiver");
    }

    /** Runs {@code onCancel} if the caller goes away before this completes. */
    void watch(CommandContext context, Runnable onCancel) {
      Registration callback = context.onCancel(onCancel);
      if (!registration.compareAndSet(null, callback)) {
        callback.remove(); // settled meanwhile
      }
    }

    /** Completes the tag unless it already was, or was abandoned. */
    void complete(@Nullable Object result, @Nullable Throwable error) {
      if (settle()) {
        receiver.completeYield(tag, result, error);
      }
    }

    /** Returns whether it has completed or been abandoned. */
    @SuppressWarnings("ReferenceEquality") // DONE is a sentinel: its identity is the point
    boolean isSettled() {
      return registration.get() == DONE;
    }

    /**
     * Settles because nobody waits any more (the process ended, or the yield's deadline passed):
     * completes with a {@link CancellationException}, which the runtime drops, so it forgets the
     * yield and frees its tag.
     */
    void abandon() {
      if (settle()) {
        receiver.completeYield(tag, null, abandoned());
      }
    }

    static CancellationException abandoned() {
      return new CancellationException(
          "the clock command was abandoned: its process ended or its yield's deadline passed");
    }

    @SuppressWarnings("ReferenceEquality") // DONE is a sentinel: its identity is the point
    private boolean settle() {
      Registration previous = registration.getAndSet(DONE);
      if (previous == DONE) {
        return false;
      }
      if (previous != null) {
        previous.remove();
      }
      return true;
    }
  }
}
