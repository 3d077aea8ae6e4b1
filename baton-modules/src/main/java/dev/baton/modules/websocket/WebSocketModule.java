package dev.baton.modules.websocket;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The websocket module: {@link WebSockets.Connect}, {@link WebSockets.Send}, {@link
 * WebSockets.Receive}, {@link WebSockets.Close}, {@link WebSockets.Ping}, {@link
 * WebSockets.Subscribe} and {@link WebSockets.Unsubscribe}, on the JDK's {@link
 * java.net.http.WebSocket} client.
 *
 * <p><b>Design.</b> Every handler returns at once: connecting, sending and closing complete through
 * the client's futures, receiving through the connection's listener. Each connection is owned by
 * the process that connected it (an {@link OwnedResources} table): only that process can use it,
 * and it is aborted when the process ends. A connection reads only what a reader asks for (one
 * message for a pending Receive, the next message once the previous one is in the mailbox for a
 * Subscribe), so a slow process slows the peer down instead of filling memory.
 *
 * <p><b>Cancellation.</b> A command's context is cancelled when its yield's deadline passes or its
 * caller ends: a pending Connect is abandoned (a socket that opens later is aborted), a pending
 * Receive completes with a {@link java.util.concurrent.CancellationException} and the message it
 * was waiting for stays for the next Receive, a Send or Ping not yet started is skipped (one being
 * written completes in the client), and a pending Close aborts the connection. Stopping the module
 * aborts every connection, closes the HTTP client and refuses later connects. Thread-safe.
 *
 * <p>Boot it with {@code Dispatcher.component(new WebSocketModule())}; it needs the scheduler (for
 * Subscribe's deliveries).
 */
public final class WebSocketModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "websocket";

  /** How long {@link WebSockets.Close} waits for the peer's close frame by default: 5 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Duration closeTimeout;
  private final OwnedResources<WsConnection> connections =
      new OwnedResources<>("WebSocket connection");
  private final HttpClient client;

  /** The connections by handle whoever owns them, for diagnostics; mirrors {@link #connections}. */
  private final ConcurrentHashMap<Long, WsConnection> byId = new ConcurrentHashMap<>();

  /** How often a relay found its owner's mailbox full and paused reading. */
  private final LongAdder mailboxFullPauses = new LongAdder();

  /**
   * Close bounds and relay retries; one daemon thread (started at the first use), shut down in
   * {@link #stop()}. A cancelled bound leaves the queue at once, so a connection closed early is
   * not held until its bound would have passed.
   */
  private final ScheduledExecutorService timer = newTimer();

  /** Read by the handlers; set in {@link #registerAll}. */
  private @Nullable Scheduler scheduler;

  /**
   * Set by {@link #stop()} before it clears the table; a connect checks it after adding, so either
   * the clear or the connect itself aborts the connection.
   */
  private volatile boolean stopped;

  /** Creates the module with {@link #DEFAULT_CLOSE_TIMEOUT}. */
  public WebSocketModule() {
    this(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Creates the module.
   *
   * @param closeTimeout how long a Close (or a connection closing after a message over its read
   *     limit) waits for the peer's close frame before it aborts the connection
   */
  public WebSocketModule(Duration closeTimeout) {
    requireNonNull(closeTimeout, "closeTimeout");
    if (closeTimeout.isNegative() || closeTimeout.isZero()) {
      throw new IllegalArgumentException("closeTimeout must be positive, was " + closeTimeout);
    }
    this.closeTimeout = closeTimeout;
    this.client = HttpClient.newBuilder().build();
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        WebSockets.CONNECT,
        WebSockets.SEND,
        WebSockets.RECEIVE,
        WebSockets.CLOSE,
        WebSockets.PING,
        WebSockets.SUBSCRIBE,
        WebSockets.UNSUBSCRIBE);
  }

  /** Subscribe delivers to processes of the node's scheduler. */
  @Override
  public List<String> dependsOn() {
    return List.of(Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    scheduler = services.require(Scheduler.KEY);
    registrar.register(
        WebSockets.CONNECT, Handler.forType(WebSockets.Connect.class, this::connect));
    registrar.register(WebSockets.SEND, Handler.forType(WebSockets.Send.class, this::send));
    registrar.register(
        WebSockets.RECEIVE, Handler.forType(WebSockets.Receive.class, this::receive));
    registrar.register(WebSockets.CLOSE, Handler.forType(WebSockets.Close.class, this::close));
    registrar.register(WebSockets.PING, Handler.forType(WebSockets.Ping.class, this::ping));
    registrar.register(
        WebSockets.SUBSCRIBE, Handler.forType(WebSockets.Subscribe.class, this::subscribe));
    registrar.register(
        WebSockets.UNSUBSCRIBE, Handler.forType(WebSockets.Unsubscribe.class, this::unsubscribe));
  }

  /**
   * Aborts every connection still held (pending receives get a close marker with code 1006), closes
   * the HTTP client and the module's timer; later connects fail with {@link IllegalStateException}.
   */
  @Override
  public void stop() {
    stopped = true;
    for (WsConnection connection : connections.clear()) {
      connection.abort("the websocket module stopped");
    }
    timer.shutdownNow();
    client.shutdownNow();
  }

  /** The number of connections held for their owners. */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * How many times a subscription found its owner's mailbox full and paused (each pause retries the
   * same message later; nothing is dropped).
   */
  public long mailboxFullPauses() {
    return mailboxFullPauses.sum();
  }

  /** Pending receives on {@code id}, whoever owns it; for tests and diagnostics. */
  int pendingReceives(WebSockets.ConnectionId id) {
    WsConnection connection = byId.get(id.value());
    return connection == null ? 0 : connection.pendingReceives();
  }

  private void connect(
      CommandContext context, WebSockets.Connect connect, long tag, ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "websocket.Connect");
    if (stopped) {
      receiver.completeYield(
          tag, null, new IllegalStateException("the websocket module has stopped"));
      return;
    }
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, WsConnection.cancelled("websocket.Connect"));
      return;
    }
    long handle = connections.nextHandle();
    WsConnection connection =
        new WsConnection(
            handle,
            connect.readLimit(),
            pid,
            requireNonNull(scheduler, "scheduler"),
            timer,
            closeTimeout,
            mailboxFullPauses);
    CompletableFuture<WebSocket> opening;
    try {
      WebSocket.Builder builder =
          client.newWebSocketBuilder().connectTimeout(connect.connectTimeout());
      connect.headers().forEach(builder::header);
      List<String> offered = connect.subprotocols();
      if (!offered.isEmpty()) {
        builder.subprotocols(
            offered.getFirst(), offered.subList(1, offered.size()).toArray(String[]::new));
      }
      opening = builder.buildAsync(connect.uri(), connection);
    } catch (IllegalArgumentException refused) {
      receiver.completeYield(tag, null, refused); // a header the client does not allow
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    Registration abandon =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                receiver.completeYield(tag, null, WsConnection.cancelled("websocket.Connect"));
              }
            });
    var _ =
        opening.whenComplete(
            (webSocket, error) -> {
              abandon.remove();
              if (error != null) {
                if (done.compareAndSet(false, true)) {
                  receiver.completeYield(tag, null, connectFailed(connect.uri(), error));
                }
                return;
              }
              connection.opened(webSocket);
              if (!done.compareAndSet(false, true)) {
                webSocket.abort(); // cancelled meanwhile: nobody will learn the handle
                return;
              }
              byId.put(handle, connection);
              // If the owner went away meanwhile, add aborts the connection before it returns.
              connections.add(handle, context, connection, this::ownerGone);
              if (stopped) {
                discard(handle, connection);
                receiver.completeYield(
                    tag, null, new IllegalStateException("the websocket module has stopped"));
                return;
              }
              receiver.completeYield(
                  tag,
                  new WebSockets.Connection(
                      new WebSockets.ConnectionId(handle), webSocket.getSubprotocol()),
                  null);
            });
  }

  private void send(
      CommandContext context, WebSockets.Send send, long tag, ResultReceiver receiver) {
    WsConnection connection = connections.get(context, send.connection().value());
    var _ =
        connection
            .send(send.payload(), context)
            .whenComplete((sent, error) -> receiver.completeYield(tag, sent, unwrap(error)));
  }

  private void ping(
      CommandContext context, WebSockets.Ping ping, long tag, ResultReceiver receiver) {
    WsConnection connection = connections.get(context, ping.connection().value());
    var _ =
        connection
            .ping(ping.data(), context)
            .whenComplete((sent, error) -> receiver.completeYield(tag, sent, unwrap(error)));
  }

  private void receive(
      CommandContext context, WebSockets.Receive receive, long tag, ResultReceiver receiver) {
    connections.get(context, receive.connection().value()).receive(context, tag, receiver);
  }

  private void close(
      CommandContext context, WebSockets.Close close, long tag, ResultReceiver receiver) {
    long handle = close.connection().value();
    WsConnection connection = connections.remove(context, handle);
    byId.remove(handle);
    AtomicBoolean done = new AtomicBoolean();
    Registration abort =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                connection.abort("its Close was cancelled");
                receiver.completeYield(tag, null, WsConnection.cancelled("websocket.Close"));
              }
            });
    var _ =
        connection
            .close(close.code(), close.reason())
            .whenComplete(
                (closed, error) -> {
                  if (done.compareAndSet(false, true)) {
                    abort.remove();
                    receiver.completeYield(tag, closed, unwrap(error));
                  }
                });
  }

  private void subscribe(
      CommandContext context, WebSockets.Subscribe subscribe, long tag, ResultReceiver receiver) {
    Callers.pidOf(context, "websocket.Subscribe");
    connections.get(context, subscribe.connection().value()).subscribe(subscribe.topic());
    receiver.completeYield(tag, true, null);
  }

  private void unsubscribe(
      CommandContext context,
      WebSockets.Unsubscribe unsubscribe,
      long tag,
      ResultReceiver receiver) {
    boolean was = connections.get(context, unsubscribe.connection().value()).unsubscribe();
    receiver.completeYield(tag, was, null);
  }

  /** Runs on the thread that cancels the owner: the abort only closes the socket. */
  private void ownerGone(WsConnection connection) {
    byId.remove(connection.id());
    connection.abort("its owner ended");
  }

  private void discard(long handle, WsConnection connection) {
    var _ = connections.forget(handle);
    byId.remove(handle);
    connection.abort("the websocket module stopped");
  }

  private static ScheduledExecutorService newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("websocket-timer").factory());
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable error) {
    while ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static RuntimeException connectFailed(URI uri, Throwable error) {
    Throwable cause = requireNonNull(unwrap(error), "cause");
    if (cause instanceof WebSocketHandshakeException refused) {
      int status = refused.getResponse().statusCode();
      return new WebSocketConnectException(
          uri,
          status,
          "the server refused the upgrade with HTTP status "
              + status
              + " (check the path, the subprotocols offered and the headers)",
          cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return new WebSocketConnectException(
          uri, -1, "no connection within the connect timeout (" + cause.getMessage() + ")", cause);
    }
    if (cause instanceof ConnectException) {
      return new WebSocketConnectException(
          uri, -1, "the connection was refused: is the server running on that port?", cause);
    }
    if (cause instanceof IOException) {
      return new WebSocketConnectException(uri, -1, String.valueOf(cause), cause);
    }
    if (cause instanceof IllegalArgumentException invalid) {
      return invalid;
    }
    return new WebSocketConnectException(uri, -1, String.valueOf(cause), cause);
  }
}
