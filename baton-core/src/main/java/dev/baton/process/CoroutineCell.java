package dev.baton.process;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.time.Scheduled;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One coroutine process: its virtual thread, its {@link Inbox}, and the {@link CoroutineScope} its
 * body calls.
 *
 * <p><b>Threads.</b> Only the coroutine's virtual thread reads the inbox's batches, the local
 * mailbox and the tag counter. Other threads only touch the inbox (completions, messages,
 * deadlines) and then unpark the thread. A wait loops on "drain the inbox, check, park", so a
 * wake-up that comes before the park is kept by the thread's permit and none is lost. {@link
 * #state} is written by the coroutine's thread and read by inspection.
 */
final class CoroutineCell extends CellContext
    implements ProcessRecord, ResultReceiver, CoroutineScope {
  private final Scheduler scheduler;
  private final Coroutine body;
  private final @Nullable Object input;
  private final CancellationSignal cancellation;
  private final Inbox inbox = new Inbox();
  private final Thread thread;

  private volatile ProcessState state = ProcessState.READY;
  private volatile long steps;

  // Owned by the coroutine's thread.
  private EventBatch spareBatch = new EventBatch();
  private final ArrayDeque<Message> mailbox = new ArrayDeque<>();
  private long lastTag;
  private long awaitedTag;
  private Event.@Nullable Completion awaited;

  CoroutineCell(Scheduler scheduler, Pid pid, Coroutine body, @Nullable Object input) {
    this(scheduler, pid, body, input, new CancellationSignal());
  }

  private CoroutineCell(
      Scheduler scheduler,
      Pid pid,
      Coroutine body,
      @Nullable Object input,
      CancellationSignal cancellation) {
    super(pid, cancellation, scheduler);
    this.cancellation = cancellation;
    this.scheduler = scheduler;
    this.body = body;
    this.input = input;
    this.thread = Thread.ofVirtual().name("baton-coroutine-" + pid.id()).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  // ---- ProcessRecord and ProcessContext ----

  @Override
  public String typeName() {
    return body.getClass().getName();
  }

  @Override
  public ProcessState processState() {
    return state;
  }

  @Override
  public long steps() {
    return steps;
  }

  // ---- events (any thread) ----

  @Override
  public void completeYield(long tag, @Nullable Object result, @Nullable Throwable error) {
    if (inbox.complete(tag, result, error)) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public boolean offerMessage(Message message, int capacity) {
    if (!inbox.offerMessage(message, capacity, pid())) {
      return false;
    }
    LockSupport.unpark(thread);
    return true;
  }

  @Override
  public void terminate(String reason) {
    terminateContext(reason);
    thread.interrupt(); // wakes the coroutine out of a park, and out of blocking Java code
  }

  // ---- the coroutine's thread ----

  private void run() {
    moveTo(ProcessState.RUNNING);
    ProcessResult result;
    try {
      @Nullable Object value = body.run(this, input);
      result = isCancelled() ? ProcessResult.failed(terminated()) : ProcessResult.normal(value);
    } catch (Throwable failure) {
      result = ProcessResult.failed(isCancelled() ? terminated() : failure);
    }
    if (state != ProcessState.RUNNING) {
      moveTo(ProcessState.RUNNING); // woken to end: terminated, or failed while waiting
    }
    // A termination interrupted this thread; the listeners and notifications must not inherit it.
    boolean interrupted = Thread.interrupted();
    if (interrupted && !isCancelled()) {
      Thread.currentThread().interrupt();
    }
    moveTo(ProcessState.COMPLETE);
    inbox.close();
    cancellation.cancel();
    scheduler.ended(this, result);
  }

  @Override
  public <R> R call(Command<R> command) {
    return callWithin(command, null);
  }

  @Override
  public <R> R call(Command<R> command, Duration deadline) {
    return callWithin(command, requireNonNull(deadline, "deadline"));
  }

  // unchecked: Command<R>'s handler completes it with an R. NullAway: a command without a result
  // (Command<Void>) completes with null, which the caller receives as such.
  @SuppressWarnings({"unchecked", "NullAway"})
  private <R> R callWithin(Command<R> command, @Nullable Duration deadline) {
    requireNonNull(command, "command");
    checkOwnThread();
    throwIfTerminated();
    long tag = ++lastTag;
    inbox.register(tag, command); // a fresh tag is never pending
    @Nullable ProcessContext handlerContext = this;
    if (deadline != null) {
      // Null if the time source refused the timer: the yield has already failed with why.
      // The yield's own context: cancelled when the deadline passes, so the handler stops the work.
      handlerContext =
          DeadlineYield.arm(
              this, inbox, scheduler.timeSource(), tag, deadline, () -> LockSupport.unpark(thread));
    }
    awaitedTag = tag;
    awaited = null;
    moveTo(ProcessState.BLOCKED);
    if (handlerContext != null) {
      scheduler.router().route(handlerContext, command, tag, this);
    }
    while (true) {
      drainInbox();
      Event.Completion completion = awaited;
      if (completion != null) {
        awaited = null;
        throwIfTerminated(); // a terminated coroutine does not go on with a late result
        resumed();
        Throwable error = completion.error();
        if (error == null) {
          return (R) completion.result();
        }
        if (error instanceof RuntimeException unchecked) {
          throw unchecked;
        }
        if (error instanceof Error fatal) {
          throw fatal;
        }
        throw new CommandFailedException(error);
      }
      park();
    }
  }

  @Override
  public Message receive() {
    return receiveMatching(null, null).orElseThrow();
  }

  @Override
  public Message receive(String topic) {
    return receiveMatching(requireNonNull(topic, "topic"), null).orElseThrow();
  }

  @Override
  public Optional<Message> receive(Duration timeout) {
    return receiveMatching(null, requireNonNull(timeout, "timeout"));
  }

  private Optional<Message> receiveMatching(@Nullable String topic, @Nullable Duration timeout) {
    checkOwnThread();
    throwIfTerminated();
    AtomicBoolean timedOut = new AtomicBoolean();
    Scheduled timer = null;
    if (timeout != null) {
      timer =
          scheduler
              .timeSource()
              .schedule(
                  timeout,
                  () -> {
                    timedOut.set(true);
                    LockSupport.unpark(thread);
                  });
    }
    moveTo(ProcessState.IDLE);
    try {
      while (true) {
        drainInbox();
        for (Iterator<Message> queued = mailbox.iterator(); queued.hasNext(); ) {
          Message message = queued.next();
          if (topic == null || topic.equals(message.topic())) {
            queued.remove();
            inbox.messagesConsumed(1); // until now it counted against the mailbox bound
            resumed();
            return Optional.of(message);
          }
        }
        if (timedOut.get()) {
          resumed();
          return Optional.empty();
        }
        park();
      }
    } finally {
      if (timer != null) {
        timer.cancel();
      }
    }
  }

  /** Moves the inbox's events into the mailbox and the awaited completion. */
  private void drainInbox() {
    EventBatch batch = inbox.drain(spareBatch);
    for (Event event : batch.events) {
      switch (event) {
        case Message message -> mailbox.add(message);
        case Event.Completion completion -> {
          if (completion.tag() == awaitedTag) {
            awaited = completion;
          }
        }
      }
    }
    batch.releaseAndClear();
    spareBatch = batch;
  }

  /** Parks until woken; throws if the process was terminated meanwhile. */
  private void park() {
    LockSupport.park(this);
    throwIfTerminated();
    if (Thread.interrupted()) {
      // Not a termination (that cancels first): someone interrupted the coroutine's thread.
      Thread.currentThread().interrupt();
      throw new ProcessException("coroutine " + pid() + " was interrupted while waiting");
    }
  }

  @SuppressWarnings("NonAtomicVolatileUpdate") // written by the coroutine's thread only
  private void resumed() {
    moveTo(ProcessState.RUNNING);
    steps = steps + 1;
  }

  /** Written by the coroutine's thread only; inspection reads it. */
  private void moveTo(ProcessState next) {
    assert StateTransitions.record(state, next);
    state = next;
  }

  private void throwIfTerminated() {
    if (isCancelled()) {
      throw terminated();
    }
  }

  private void checkOwnThread() {
    if (!thread.equals(Thread.currentThread())) {
      throw new IllegalStateException(
          "only process " + pid() + "'s own thread may call or receive through its scope");
    }
  }

  @Override
  public String toString() {
    return "coroutine " + pid() + " (" + typeName() + ", " + state + ")";
  }
}
