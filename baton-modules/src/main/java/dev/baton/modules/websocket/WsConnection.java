package dev.baton.modules.websocket;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.websocket.WebSockets.Binary;
import dev.baton.modules.websocket.WebSockets.Closed;
import dev.baton.modules.websocket.WebSockets.Incoming;
import dev.baton.modules.websocket.WebSockets.Payload;
import dev.baton.modules.websocket.WebSockets.Text;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.Scheduler;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One client connection: the JDK {@link WebSocket}, the {@link WebSocket.Listener} that assembles
 * its incoming messages, and the two ways of reading them (pending receives, or a relay to the
 * owner's mailbox).
 *
 * <p><b>Design.</b> The JDK invokes a receive method ({@code onText}, {@code onBinary}, {@code
 * onPing}, {@code onPong}, {@code onClose}) once per unit of demand requested with {@link
 * WebSocket#request}. This class requests one unit at a time and only while a reader wants the next
 * message: a pending {@link WebSockets.Receive} with no message buffered, or a subscription whose
 * previous message is in the mailbox. A fragment that does not end its message, a ping and a pong
 * each re-request one unit, so a whole message is read; nothing more is read ahead, and the peer
 * feels the back-pressure through TCP. While closing (the process's {@link WebSockets.Close} or a
 * message over the read limit) everything is requested and discarded until the peer's close frame.
 *
 * <p><b>Concurrency.</b> Listener calls come one at a time from the client's threads; commands from
 * scheduler threads; the close bound and relay retries from the module's timer. All mutable state
 * below is guarded by {@link #lock}. Completions, mailbox sends and calls into the {@link
 * WebSocket} (request, send, abort) are collected while holding the lock and run after releasing
 * it, so no foreign code runs under the lock. Every receive that takes a message (pending, or
 * served from the buffer at once) is a {@link Waiter} claimed exactly once, by a message or by its
 * cancellation, whose cancellation callback is registered before its completion; a message handed
 * to a receive whose deadline then wins the race is put back at the front of the buffer (its
 * completion was dropped). A waiter whose context is already cancelled is never handed a message.
 */
final class WsConnection implements WebSocket.Listener {
  private final long id;
  private final int readLimit;
  private final Pid owner;
  private final Scheduler scheduler;
  private final ScheduledExecutorService timer;
  private final Duration closeTimeout;

  /** Counts the relay's pauses for a full mailbox, module-wide. */
  private final LongAdder mailboxFullPauses;

  private final ReentrantLock lock = new ReentrantLock();

  /** Set once by {@link #opened} before the connection is published; never null afterwards. */
  private volatile @Nullable WebSocket socket;

  // ---- guarded by lock ----

  /** Whole messages read and not yet delivered (a cancelled receive's, or one put back). */
  private final ArrayDeque<Incoming> buffered = new ArrayDeque<>();

  /** Pending receives, oldest first. */
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  /** A unit of demand is outstanding for the next message, or a message is being assembled. */
  private boolean reading;

  /** The text message being assembled, or null. */
  private @Nullable StringBuilder text;

  /** The binary message being assembled, or null. */
  private @Nullable ByteArrayOutputStream binary;

  /** The size of the message being assembled, in bytes (text as UTF-8). */
  private long assembled;

  /** The end of the input once it ended: the peer's close, or how it ended without one. */
  private @Nullable Closed ended;

  /** Why reading failed (a message over the limit, a protocol or I/O error), or null. */
  private @Nullable WebSocketException failure;

  /** Everything is being read and discarded until the peer's close frame. */
  private boolean closing;

  /** The subscription, or null when the connection is read with receives. */
  private @Nullable Relay relay;

  /** The last text or binary send, so the next one starts after it (the JDK allows one). */
  private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);

  /** The last ping, so the next one starts after it (the JDK allows one). */
  private CompletableFuture<?> pingTail = CompletableFuture.completedFuture(null);

  /** Completed with {@link #ended} once the input ended; never completed exceptionally. */
  private final CompletableFuture<Closed> inputEnded = new CompletableFuture<>();

  WsConnection(
      long id,
      int readLimit,
      Pid owner,
      Scheduler scheduler,
      ScheduledExecutorService timer,
      Duration closeTimeout,
      LongAdder mailboxFullPauses) {
    this.id = id;
    this.mailboxFullPauses = mailboxFullPauses;
    this.readLimit = readLimit;
    this.owner = owner;
    this.scheduler = scheduler;
    this.timer = timer;
    this.closeTimeout = closeTimeout;
  }

  long id() {
    return id;
  }

  /** Records the open socket; called once, before the connection's handle is published. */
  void opened(WebSocket webSocket) {
    this.socket = webSocket;
  }

  private WebSocket socket() {
    return requireNonNull(socket, "socket");
  }

  // ---- commands ----

  /** Sends one whole message after the sends before it; completes true or with the failure. */
  CompletableFuture<Boolean> send(Payload payload, CommandContext context) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    WebSocket webSocket = socket();
    lock.lock();
    try {
      WebSocketClosedException closed = closedForSending("send");
      if (closed != null) {
        done.completeExceptionally(closed);
        return done;
      }
      sendTail =
          sendTail
              .handle((ignored, error) -> null)
              .thenCompose(
                  ignored -> {
                    if (done.isDone()) {
                      return CompletableFuture.completedFuture(null); // cancelled: not sent
                    }
                    CompletableFuture<WebSocket> sent =
                        switch (payload) {
                          case Text t -> webSocket.sendText(t.text(), true);
                          case Binary b -> webSocket.sendBinary(ByteBuffer.wrap(b.bytes()), true);
                        };
                    return sent.whenComplete(
                        (ws, error) -> {
                          if (error == null) {
                            done.complete(true);
                          } else {
                            done.completeExceptionally(sendFailed("send", error));
                          }
                        });
                  });
    } finally {
      lock.unlock();
    }
    cancelWith(context, done, "websocket.Send");
    return done;
  }

  /** Sends a ping after the pings before it; completes true once written. */
  CompletableFuture<Boolean> ping(byte[] data, CommandContext context) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    WebSocket webSocket = socket();
    lock.lock();
    try {
      WebSocketClosedException closed = closedForSending("ping");
      if (closed != null) {
        done.completeExceptionally(closed);
        return done;
      }
      pingTail =
          pingTail
              .handle((ignored, error) -> null)
              .thenCompose(
                  ignored -> {
                    if (done.isDone()) {
                      return CompletableFuture.completedFuture(null);
                    }
                    return webSocket
                        .sendPing(ByteBuffer.wrap(data))
                        .whenComplete(
                            (ws, error) -> {
                              if (error == null) {
                                done.complete(true);
                              } else {
                                done.completeExceptionally(sendFailed("ping", error));
                              }
                            });
                  });
    } finally {
      lock.unlock();
    }
    cancelWith(context, done, "websocket.Ping");
    return done;
  }

  /**
   * The error for a send once the input ended or failed: the peer's close has been answered (or the
   * connection is going), so nothing more can be sent. Null while open. Under lock.
   */
  private @Nullable WebSocketClosedException closedForSending(String what) {
    Closed end = ended;
    if (end != null) {
      return new WebSocketClosedException(
          id, "cannot " + what + ": it is closed (" + end.code() + " " + end.reason() + ")", null);
    }
    WebSocketException failed = failure;
    if (failed != null) {
      return new WebSocketClosedException(id, "cannot " + what + ": it failed", failed);
    }
    return null;
  }

  /** Completes {@code done} with a CancellationException when {@code context} is cancelled. */
  private static void cancelWith(
      CommandContext context, CompletableFuture<Boolean> done, String command) {
    Registration registration =
        context.onCancel(() -> done.completeExceptionally(cancelled(command)));
    var _ = done.whenComplete((result, error) -> registration.remove());
  }

  /**
   * Completes the yield of {@code tag} with the next message, now or when it arrives.
   *
   * <p>A message taken from the buffer is handed through a claimed {@link Waiter} like one that
   * arrives later: the cancellation callback is registered before the completion, so if the yield's
   * deadline passed (before this handler ran, or while it completes) and the runtime drops the
   * completion, the callback puts the message back in front instead of losing it.
   */
  void receive(CommandContext context, long tag, ResultReceiver receiver) {
    List<Runnable> actions = new ArrayList<>();
    @Nullable Incoming now = null;
    @Nullable Throwable error = null;
    Waiter waiter = new Waiter(context, tag, receiver);
    boolean watch = false;
    lock.lock();
    try {
      Relay subscribed = relay;
      if (subscribed != null && !subscribed.finished) {
        error =
            new WebSocketReadConflictException(
                id,
                "is subscribed to topic '"
                    + subscribed.topic
                    + "': its messages arrive in the mailbox; Unsubscribe before Receive");
      } else if (!buffered.isEmpty()) {
        now = buffered.poll();
        waiter.claimed.set(true);
        waiter.handed = now;
        watch = true;
      } else if (failure != null) {
        error = failure;
      } else if (ended != null) {
        now = ended; // sticky: nothing to put back if its completion is dropped
      } else {
        waiters.add(waiter);
        pump(actions);
        watch = true;
      }
    } finally {
      lock.unlock();
    }
    if (watch) {
      waiter.registration = context.onCancel(() -> receiveCancelled(waiter));
      if (now == null && waiter.claimed.get()) {
        waiter.settled(); // completed before the registration was recorded
      }
    }
    run(actions);
    if (error != null) {
      receiver.completeYield(tag, null, error);
    } else if (now != null) {
      receiver.completeYield(tag, now, null);
      if (watch) {
        waiter.settled();
      }
    }
  }

  /**
   * A receive's context was cancelled: if it still waits, it ends with a CancellationException; if
   * a message was handed to it, that completion was dropped (its deadline won), so the message goes
   * back to the front of the buffer for the next receive.
   */
  private void receiveCancelled(Waiter waiter) {
    List<Runnable> actions = new ArrayList<>();
    if (waiter.claimed.compareAndSet(false, true)) {
      lock.lock();
      try {
        waiters.remove(waiter);
      } finally {
        lock.unlock();
      }
      waiter.receiver.completeYield(waiter.tag, null, cancelled("websocket.Receive"));
      return;
    }
    lock.lock();
    try {
      // hand() claims the waiter and records the message in one critical section: only under the
      // lock is the message of a claim this thread lost to guaranteed to be visible.
      Incoming handed = waiter.handed;
      if (handed != null && !(handed instanceof Closed)) {
        give(handed, true, actions);
      } // else: cancelled with nothing handed, or the sticky close marker: nothing to put back
    } finally {
      lock.unlock();
    }
    run(actions);
  }

  /**
   * Starts relaying messages to the owner on {@code topic}.
   *
   * @throws WebSocketReadConflictException if subscribed already or a receive is pending
   */
  void subscribe(String topic) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      Relay current = relay;
      if (current != null && !current.finished) {
        throw new WebSocketReadConflictException(
            id, "is subscribed already, to topic '" + current.topic + "'");
      }
      if (!waiters.isEmpty()) {
        throw new WebSocketReadConflictException(
            id, "has a Receive pending; a connection is read one way at a time");
      }
      Relay started = new Relay(topic);
      relay = started;
      started.outbox.addAll(buffered);
      buffered.clear();
      Closed end = ended;
      if (end != null || failure != null) {
        started.outbox.add(finalMarker());
      }
      if (started.outbox.isEmpty()) {
        pump(actions);
      } else {
        started.inFlight = true;
        actions.add(() -> deliver(started));
      }
    } finally {
      lock.unlock();
    }
    run(actions);
  }

  /** Stops the relay; returns whether there was one. Undelivered messages go back to the buffer. */
  boolean unsubscribe() {
    lock.lock();
    try {
      Relay current = relay;
      if (current == null || current.finished) {
        relay = null;
        return false;
      }
      relay = null;
      current.stopped = true;
      ScheduledFuture<?> retry = current.retry;
      if (retry != null) {
        retry.cancel(false);
        current.retry = null;
      }
      if (!current.inFlight) {
        restore(current);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Puts a stopped relay's undelivered data messages back in front of the buffer. */
  private void restore(Relay stopped) {
    for (Incoming message : stopped.outbox.reversed()) {
      if (!(message instanceof Closed)) {
        buffered.addFirst(message);
      }
    }
    stopped.outbox.clear();
  }

  /**
   * Sends the close frame after the sends already accepted, reads until the peer's close frame or
   * the close timeout, then aborts; the future completes with how the input ended.
   */
  CompletableFuture<Closed> close(int code, String reason) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      stopRelay();
      if (!closing && ended == null) {
        closing = true;
        startClosing(code, reason, actions);
      }
    } finally {
      lock.unlock();
    }
    run(actions);
    return inputEnded.thenApply(
        marker -> {
          socket().abort();
          return marker;
        });
  }

  /** Ends the connection at once (its owner ended, the Close was cancelled, the module stopped). */
  void abort(String why) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      stopRelay();
      endInput(new Closed(WebSockets.CLOSED_ABNORMALLY, why), actions);
    } finally {
      lock.unlock();
    }
    WebSocket webSocket = socket;
    if (webSocket != null) {
      webSocket.abort();
    }
    run(actions);
  }

  /** Pending receives, for tests and diagnostics. */
  int pendingReceives() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  // ---- listener: one call at a time, from the client's threads ----

  @Override
  public void onOpen(WebSocket webSocket) {
    // No demand yet: nothing is read until a reader asks.
  }

  @Override
  public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      if (discarding()) {
        return null;
      }
      assembled += utf8Length(data);
      if (assembled > readLimit) {
        tooLarge(actions);
      } else {
        StringBuilder builder = text;
        if (builder == null) {
          builder = new StringBuilder();
          text = builder;
        }
        builder.append(data);
        if (last) {
          text = null;
          arrived(new Text(builder.toString()), actions);
        } else {
          actions.add(() -> webSocket.request(1));
        }
      }
    } finally {
      lock.unlock();
    }
    run(actions);
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      if (discarding()) {
        return null;
      }
      assembled += data.remaining();
      if (assembled > readLimit) {
        tooLarge(actions);
      } else {
        ByteArrayOutputStream bytes = binary;
        if (bytes == null) {
          bytes = new ByteArrayOutputStream();
          binary = bytes;
        }
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        bytes.writeBytes(chunk);
        if (last) {
          binary = null;
          arrived(new Binary(bytes.toByteArray()), actions);
        } else {
          actions.add(() -> webSocket.request(1));
        }
      }
    } finally {
      lock.unlock();
    }
    run(actions);
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    controlFrame(webSocket); // the client has answered it with a pong already
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    controlFrame(webSocket);
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      endInput(new Closed(statusCode, reason), actions);
    } finally {
      lock.unlock();
    }
    run(actions);
    return null; // the client answers with the same close code, then its output closes
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    List<Runnable> actions = new ArrayList<>();
    lock.lock();
    try {
      if (failure == null && ended == null) {
        failure = new WebSocketClosedException(id, "failed: " + error, error);
      }
      endInput(
          new Closed(WebSockets.CLOSED_ABNORMALLY, "the connection failed: " + error), actions);
    } finally {
      lock.unlock();
    }
    run(actions);
  }

  // ---- under lock ----

  /** A ping or pong used the unit of demand meant for the next message: ask again. */
  private void controlFrame(WebSocket webSocket) {
    lock.lock();
    try {
      if (discarding() || !reading) {
        return;
      }
    } finally {
      lock.unlock();
    }
    webSocket.request(1);
  }

  /** Whether incoming data is thrown away: while closing, after a failure or the end. */
  private boolean discarding() {
    return closing || failure != null || ended != null;
  }

  /** A whole message arrived. Under lock. */
  private void arrived(Incoming message, List<Runnable> actions) {
    reading = false;
    assembled = 0;
    give(message, false, actions);
  }

  /**
   * Hands {@code message} to the relay, the oldest pending receive, or the buffer ({@code front}:
   * it was read before what is buffered), then asks for the next if a reader wants it. Under lock.
   */
  private void give(Incoming message, boolean front, List<Runnable> actions) {
    Relay current = relay;
    if (current != null && !current.finished) {
      if (front) {
        current.outbox.addFirst(message);
      } else {
        current.outbox.add(message);
      }
      startDelivery(current, actions);
      return;
    }
    if (front || waiters.isEmpty()) {
      // Put back first; a waiter that came meanwhile is served from the buffer below.
      if (front) {
        buffered.addFirst(message);
      } else {
        buffered.add(message);
      }
      serveWaitersFromBuffer(actions);
    } else {
      hand(message, actions);
    }
    pump(actions);
  }

  /** Serves pending receives from the buffer while both have entries. Under lock. */
  private void serveWaitersFromBuffer(List<Runnable> actions) {
    while (!waiters.isEmpty() && !buffered.isEmpty()) {
      Incoming next = buffered.poll();
      if (!hand(requireNonNull(next, "next"), actions)) {
        buffered.addFirst(next);
        return;
      }
    }
  }

  /**
   * Hands {@code message} to the oldest waiter that can still be claimed; returns false (and keeps
   * nothing) if none. Under lock.
   */
  private boolean hand(Incoming message, List<Runnable> actions) {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      if (waiter.context.isCancelled()) {
        continue; // its deadline passed: its callback claims it; a message for it would be dropped
      }
      if (waiter.claimed.compareAndSet(false, true)) {
        Waiter claimed = waiter;
        claimed.handed = message;
        actions.add(
            () -> {
              claimed.receiver.completeYield(claimed.tag, message, null);
              claimed.settled();
            });
        return true;
      }
    }
    if (message instanceof Closed) {
      return true; // sticky: nothing to keep
    }
    buffered.addFirst(message);
    return true;
  }

  /** Requests the next message if a reader wants it and none is being read. Under lock. */
  private void pump(List<Runnable> actions) {
    if (reading || discarding()) {
      return;
    }
    Relay current = relay;
    boolean wanted =
        (current != null && !current.finished)
            ? current.outbox.isEmpty() && !current.stopped
            : !waiters.isEmpty() && buffered.isEmpty();
    if (wanted) {
      reading = true;
      WebSocket webSocket = socket();
      actions.add(() -> webSocket.request(1));
    }
  }

  /** The message passed the read limit: fail the readers, close with 1008, drain. Under lock. */
  private void tooLarge(List<Runnable> actions) {
    text = null;
    binary = null;
    reading = false;
    MessageTooLargeException tooLarge = new MessageTooLargeException(id, readLimit);
    failure = tooLarge;
    failReaders(tooLarge, actions);
    Relay current = relay;
    if (current != null && !current.finished) {
      current.outbox.add(finalMarker());
      startDelivery(current, actions);
    }
    closing = true;
    startClosing(1008, "message larger than " + readLimit + " bytes", actions);
  }

  /** Fails every pending receive with {@code error}. Under lock. */
  private void failReaders(WebSocketException error, List<Runnable> actions) {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      if (waiter.claimed.compareAndSet(false, true)) {
        Waiter claimed = waiter;
        actions.add(
            () -> {
              claimed.receiver.completeYield(claimed.tag, null, error);
              claimed.settled();
            });
      }
    }
  }

  /** Sends the close frame after the accepted sends, drains, and bounds the wait. Under lock. */
  private void startClosing(int code, String reason, List<Runnable> actions) {
    WebSocket webSocket = socket();
    sendTail =
        sendTail
            .handle((ignored, error) -> null)
            .thenCompose(ignored -> webSocket.sendClose(code, reason))
            .handle((ignored, error) -> null);
    actions.add(() -> webSocket.request(Long.MAX_VALUE));
    actions.add(
        () -> {
          try {
            ScheduledFuture<?> bound =
                timer.schedule(
                    () ->
                        abort(
                            "the peer did not answer the close within "
                                + closeTimeout.toMillis()
                                + " ms"),
                    closeTimeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            var _ =
                inputEnded.whenComplete(
                    (marker, error) -> {
                      bound.cancel(false);
                      webSocket.abort(); // both directions are done, or the bound passed
                    });
          } catch (RejectedExecutionException moduleStopped) {
            abort("the websocket module stopped");
          }
        });
  }

  /**
   * The input ended with {@code marker} (kept if it ended before): pending receives get the marker
   * (or the failure), the relay its final message. Under lock.
   */
  private void endInput(Closed marker, List<Runnable> actions) {
    text = null;
    binary = null;
    reading = false;
    if (ended == null) {
      ended = marker;
    }
    Closed end = requireNonNull(ended, "ended");
    WebSocketException failed = failure;
    if (failed != null) {
      failReaders(failed, actions);
    } else {
      Waiter waiter;
      while ((waiter = waiters.poll()) != null) {
        if (waiter.claimed.compareAndSet(false, true)) {
          Waiter claimed = waiter;
          actions.add(
              () -> {
                claimed.receiver.completeYield(claimed.tag, end, null);
                claimed.settled();
              });
        }
      }
    }
    Relay current = relay;
    if (current != null && !current.finished && !current.stopped && !current.markerQueued) {
      current.outbox.add(finalMarker());
      startDelivery(current, actions);
    }
    actions.add(() -> inputEnded.complete(end));
  }

  /** The relay's last message: the close marker, or how the connection failed. Under lock. */
  private Closed finalMarker() {
    Relay current = relay;
    if (current != null) {
      current.markerQueued = true;
    }
    WebSocketException failed = failure;
    if (failed instanceof MessageTooLargeException) {
      return new Closed(1009, "message larger than the read limit of " + readLimit + " bytes");
    }
    if (failed != null) {
      return new Closed(WebSockets.CLOSED_ABNORMALLY, requireNonNull(failed.getMessage(), ""));
    }
    return requireNonNull(ended, "ended");
  }

  /** Stops the relay without putting anything back (the connection is closing). Under lock. */
  private void stopRelay() {
    Relay current = relay;
    if (current != null) {
      current.stopped = true;
      current.outbox.clear();
      ScheduledFuture<?> retry = current.retry;
      if (retry != null) {
        retry.cancel(false);
      }
    }
  }

  /** Starts a delivery loop unless one runs or waits for room. Under lock. */
  private void startDelivery(Relay current, List<Runnable> actions) {
    if (!current.inFlight && current.retry == null && !current.stopped) {
      current.inFlight = true;
      actions.add(() -> deliver(current));
    }
  }

  // ---- relay, without the lock ----

  /**
   * Delivers the relay's outbox in order to the owner's mailbox. A full mailbox schedules a retry
   * with a growing pause (1 ms to 100 ms): nothing more is read meanwhile. Runs on one thread at a
   * time per relay ({@link Relay#inFlight}).
   */
  private void deliver(Relay current) {
    while (true) {
      Incoming next;
      List<Runnable> actions = new ArrayList<>();
      lock.lock();
      try {
        if (current.stopped) {
          current.inFlight = false;
          if (relay != current) {
            restore(current); // unsubscribed while this delivery ran
          }
          return;
        }
        next = current.outbox.peek();
        if (next == null) {
          current.inFlight = false;
          if (current.markerQueued) {
            current.finished = true;
          } else {
            pump(actions);
          }
        }
      } finally {
        lock.unlock();
      }
      if (next == null) {
        run(actions);
        return;
      }
      try {
        scheduler.send(owner, new Message(current.topic, next, null));
      } catch (MailboxFullException full) {
        mailboxFullPauses.increment();
        lock.lock();
        try {
          current.inFlight = false;
          if (!current.stopped) {
            long pause = current.pauseMillis;
            current.pauseMillis = Math.min(100, pause * 2);
            try {
              current.retry =
                  timer.schedule(
                      () -> {
                        lock.lock();
                        try {
                          current.retry = null;
                          if (current.stopped || current.inFlight) {
                            return;
                          }
                          current.inFlight = true;
                        } finally {
                          lock.unlock();
                        }
                        deliver(current);
                      },
                      pause,
                      TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException moduleStopped) {
              current.stopped = true;
            }
          } else if (relay != current) {
            restore(current);
          }
        } finally {
          lock.unlock();
        }
        return;
      } catch (ProcessNotFoundException ownerGone) {
        lock.lock();
        try {
          current.stopped = true;
          current.inFlight = false;
        } finally {
          lock.unlock();
        }
        return;
      }
      lock.lock();
      try {
        current.outbox.poll();
        current.pauseMillis = 1;
      } finally {
        lock.unlock();
      }
    }
  }

  private static void run(List<Runnable> actions) {
    for (Runnable action : actions) {
      action.run();
    }
  }

  private WebSocketClosedException sendFailed(String what, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return new WebSocketClosedException(
        id, "could not " + what + ": its output is closed or failed (" + cause + ")", cause);
  }

  static CancellationException cancelled(String what) {
    return new CancellationException(
        what + " was cancelled: its deadline passed or its caller ended");
  }

  /** The UTF-8 length of {@code text} (a surrogate pair counts 4). */
  static long utf8Length(CharSequence text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length += 1;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        length += 2;
      } else {
        length += 3;
      }
    }
    return length;
  }

  /** One pending receive: claimed once, by a message, the end, a failure, or cancellation. */
  private static final class Waiter {
    final CommandContext context;
    final long tag;
    final ResultReceiver receiver;
    final AtomicBoolean claimed = new AtomicBoolean();

    /** What a message handed it; written under the connection's lock right after the claim. */
    @Nullable Incoming handed;

    /** Written once right after the waiter is queued; removed once it settles. */
    volatile @Nullable Registration registration;

    Waiter(CommandContext context, long tag, ResultReceiver receiver) {
      this.context = context;
      this.tag = tag;
      this.receiver = receiver;
    }

    /**
     * After its completion: a receive yielded without a deadline unregisters (its context is the
     * process's, which must not collect callbacks); one with a deadline keeps the callback, which
     * runs only if the deadline won the race with the completion, which was then dropped.
     */
    void settled() {
      if (isProcessScope(context)) {
        Registration registered = registration;
        if (registered != null) {
          registered.remove();
        }
      }
    }

    @SuppressWarnings(
        "ReferenceEquality") // contexts have identity: a command's own, or its caller's
    private static boolean isProcessScope(CommandContext context) {
      return context.callerScope() == context;
    }
  }

  /** A subscription: where messages go, and the ones read but not yet in the mailbox. */
  private static final class Relay {
    final String topic;

    /** Guarded by the connection's lock, as are the fields below. */
    final ArrayDeque<Incoming> outbox = new ArrayDeque<>();

    /** A delivery loop runs (it owns the outbox's head). */
    boolean inFlight;

    /** A retry waits for room in the mailbox. */
    @Nullable ScheduledFuture<?> retry;

    /** The pause before the next retry, in ms. */
    long pauseMillis = 1;

    /** Unsubscribed, closed or aborted: deliver nothing more. */
    boolean stopped;

    /** The final marker is in the outbox (or delivered). */
    boolean markerQueued;

    /** The final marker is delivered: the relay is over. */
    boolean finished;

    Relay(String topic) {
      this.topic = topic;
    }
  }
}
