package dev.baton.modules.http;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.stream.StreamOperationException;
import dev.baton.modules.stream.StreamResource;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The http module: {@link Http.Request} and {@link Http.RequestBatch} on {@link HttpClient}.
 *
 * <p><b>Design.</b> Handlers only build the request and call {@link HttpClient#sendAsync}; the
 * completion runs on the client's executor (virtual threads), never on a scheduler thread. Two
 * clients share that executor and the module's lifetime: one follows redirects, one does not
 * (redirect policy is per client in the JDK). A body is read into memory up to the request's limit
 * by {@link LimitedBodyHandler}, which stops reading at the limit. A batch sends every request at
 * once and completes when the last one settles, with the outcomes in request order.
 *
 * <p><b>Cancellation.</b> When a command's context is cancelled (its yield's deadline passed or its
 * caller ended), the in-flight future(s) are cancelled, which makes the client abort the exchange
 * and close its connection, and the command completes with a {@link CancellationException} (the
 * runtime drops it). An {@link AtomicBoolean} per command makes sure exactly one of cancel and
 * response completes the tag.
 *
 * <p>{@link #stop()} shuts both clients down (in-flight requests fail with {@link
 * HttpRequestFailedException}); later requests fail with an {@link IllegalStateException}.
 * Thread-safe.
 *
 * <p><b>Streamed bodies.</b> With {@link #withStreams()}, a request {@link
 * Http.Request#withStreamBody() with a streamed body} completes once the headers arrived, and its
 * body's {@link InputStream} becomes a stream of the node's {@link StreamTable}, owned by the
 * caller; closing it aborts the exchange.
 *
 * <p>Boot it with {@code Dispatcher.component(new HttpModule())}, which needs no other service, or
 * {@code Dispatcher.component(HttpModule.withStreams())} with {@link StreamTable#component()} for
 * streamed bodies.
 */
public final class HttpModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "http";

  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-client-", 0).factory());
  private final HttpClient following =
      HttpClient.newBuilder()
          .executor(executor)
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final HttpClient notFollowing =
      HttpClient.newBuilder().executor(executor).followRedirects(HttpClient.Redirect.NEVER).build();

  /** How long {@link #stop()} waits for aborted requests to complete their tags. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(1);

  private volatile boolean stopped;

  /** Whether the module depends on the stream table (streamed bodies work). */
  private final boolean withStreams;

  /** The node's stream table, for streamed bodies; null when booted without it. */
  private @Nullable StreamTable streams;

  /**
   * Creates the module and its clients (closed by {@link #stop()}), without streamed bodies: it
   * needs no other service, and a request {@link Http.Request#withStreamBody() with a streamed
   * body} fails with {@link IllegalStateException}.
   *
   * <p>There is one way to choose: boot {@link #withStreams()} whenever the node boots {@link
   * StreamTable#component()} (any node with the stream module); this constructor is for nodes
   * without streams.
   */
  public HttpModule() {
    this(false);
  }

  private HttpModule(boolean withStreams) {
    this.withStreams = withStreams;
  }

  /**
   * Creates the module with streamed response bodies: it depends on the {@value
   * StreamTable#COMPONENT_NAME} component (boot {@link StreamTable#component()} and, to read the
   * bodies, the stream module), and the node fails to boot, naming it, without it.
   */
  public static HttpModule withStreams() {
    return new HttpModule(true);
  }

  @Override
  public List<String> dependsOn() {
    return withStreams ? List.of(StreamTable.COMPONENT_NAME) : List.of();
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Http.REQUEST, Http.REQUEST_BATCH);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    if (withStreams) {
      streams = services.require(StreamTable.KEY);
    }
    registrar.register(Http.REQUEST, Handler.forType(Http.Request.class, this::request));
    registrar.register(Http.REQUEST_BATCH, Handler.forType(Http.RequestBatch.class, this::batch));
  }

  /**
   * Aborts in-flight requests (they fail with {@link HttpRequestFailedException}), waits up to a
   * second for them to complete, and closes the clients; later requests are refused.
   */
  @Override
  public void stop() {
    stopped = true;
    following.shutdownNow();
    notFollowing.shutdownNow();
    try {
      // Let the aborted requests complete their tags (on the executor) before it goes away.
      var _ = following.awaitTermination(STOP_GRACE);
      var _ = notFollowing.awaitTermination(STOP_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }

  private void request(
      CommandContext context, Http.Request request, long tag, ResultReceiver receiver) {
    requireRunning();
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, cancelled(request.method() + " " + request.uri()));
      return;
    }
    if (request.streamBody()) {
      requestStreamed(context, request, tag, receiver);
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    Built built = build(context, request);
    CompletableFuture<HttpResponse<byte[]>> inFlight = send(built, request);
    Registration abort =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                built.stopBody();
                inFlight.cancel(true); // the client aborts the exchange
                receiver.completeYield(
                    tag, null, cancelled(request.method() + " " + request.uri()));
              }
            });
    var _ =
        inFlight.whenComplete(
            (response, error) -> {
              // The exchange is over: a StreamBody read still waiting gives its bytes back.
              built.stopBody();
              if (!done.compareAndSet(false, true)) {
                return; // cancelled first
              }
              abort.remove();
              if (error != null) {
                receiver.completeYield(tag, null, failure(request, error));
              } else {
                receiver.completeYield(tag, toResponse(response), null);
              }
            });
  }

  /**
   * A request whose body becomes a stream: the exchange completes with the headers, and the body's
   * {@link InputStream} goes to the stream table, owned by the caller. Closing it (Close, the
   * owner's end, the node's stop) cancels the client's subscription, which aborts the exchange if
   * the body was not read to its end.
   */
  private void requestStreamed(
      CommandContext context, Http.Request request, long tag, ResultReceiver receiver) {
    StreamTable table = streams;
    if (table == null) {
      throw new IllegalStateException(
          "a request with a streamed body needs the "
              + StreamTable.COMPONENT_NAME
              + " component: boot HttpModule.withStreams() with StreamTable.component()");
    }
    String what = request.method() + " " + request.uri();
    AtomicBoolean done = new AtomicBoolean();
    Built built = build(context, request);
    CompletableFuture<HttpResponse<InputStream>> inFlight =
        client(request).sendAsync(built.request(), HttpResponse.BodyHandlers.ofInputStream());
    Registration abort =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                built.stopBody();
                inFlight.cancel(true);
                receiver.completeYield(tag, null, cancelled(what));
              }
            });
    var _ =
        inFlight.whenComplete(
            (response, error) -> {
              if (!done.compareAndSet(false, true)) {
                if (response != null) {
                  closeQuietly(response.body()); // cancelled first: nobody will read it
                }
                return;
              }
              abort.remove();
              if (error != null) {
                built.stopBody();
                receiver.completeYield(tag, null, failure(request, error));
                return;
              }
              Streams.StreamId body;
              try {
                // If the caller (or this command's deadline) is gone, the table closes it at once.
                body = table.open(context, StreamResource.readable(response.body()));
              } catch (RuntimeException e) {
                closeQuietly(response.body());
                receiver.completeYield(tag, null, e);
                return;
              }
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, cancelled(what));
              } else {
                receiver.completeYield(
                    tag,
                    new Http.Response(
                        response.statusCode(),
                        response.headers().map(),
                        new byte[0],
                        response.uri(),
                        body),
                    null);
              }
            });
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException ignored) {
      // Closed either way: the exchange is aborted.
    }
  }

  private void batch(
      CommandContext context, Http.RequestBatch batch, long tag, ResultReceiver receiver) {
    requireRunning();
    if (batch.requests().isEmpty()) {
      receiver.completeYield(tag, List.of(), null);
      return;
    }
    String what = "http.RequestBatch of " + batch.requests().size() + " requests";
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, cancelled(what));
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
    List<CompletableFuture<Http.Outcome>> outcomes = new ArrayList<>();
    for (Http.Request request : batch.requests()) {
      CompletableFuture<HttpResponse<byte[]>> sent;
      try {
        sent = send(build(context, request), request);
      } catch (IllegalArgumentException | HttpRequestFailedException invalid) {
        // a header the client refuses: this request's outcome, not the batch's (others are sent)
        sent = CompletableFuture.failedFuture(invalid);
      }
      inFlight.add(sent);
      outcomes.add(
          sent.handle(
              (response, error) ->
                  error == null
                      ? new Http.Outcome(toResponse(response), null)
                      : new Http.Outcome(null, failure(request, error))));
    }
    Registration abort =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                inFlight.forEach(f -> f.cancel(true));
                receiver.completeYield(tag, null, cancelled(what));
              }
            });
    var _ =
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ignored, error) -> {
                  if (!done.compareAndSet(false, true)) {
                    return;
                  }
                  abort.remove();
                  receiver.completeYield(
                      tag, outcomes.stream().map(CompletableFuture::join).toList(), null);
                });
  }

  private void requireRunning() {
    if (stopped) {
      throw new IllegalStateException("the http module has stopped");
    }
  }

  private CompletableFuture<HttpResponse<byte[]>> send(Built built, Http.Request request) {
    URI uri = request.effectiveUri();
    return client(request)
        .sendAsync(
            built.request(),
            new LimitedBodyHandler(
                request.maxResponseBytes(),
                () ->
                    new ResponseTooLargeException(
                        request.method(), uri, request.maxResponseBytes())));
  }

  private HttpClient client(Http.Request request) {
    return request.followRedirects() ? following : notFollowing;
  }

  /**
   * The JDK request for {@code request}.
   *
   * @throws HttpRequestFailedException if a file body cannot be read
   * @throws IllegalArgumentException for a header the client refuses
   * @throws IllegalStateException for a stream body without the stream table
   */
  private Built build(CommandContext context, Http.Request request) {
    URI uri = request.effectiveUri();
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(request.timeout());
    boolean hasContentType = false;
    for (var header : request.headers().entrySet()) {
      hasContentType |= header.getKey().equalsIgnoreCase("content-type");
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    HttpRequest.BodyPublisher publisher;
    @Nullable StreamBodyPublisher streamBody = null;
    @Nullable String contentType;
    switch (request.body()) {
      case Http.NoBody n -> {
        publisher = HttpRequest.BodyPublishers.noBody();
        contentType = null;
      }
      case Http.BytesBody b -> {
        publisher = HttpRequest.BodyPublishers.ofByteArray(b.bytes());
        contentType = b.contentType();
      }
      case Http.FileBody f -> {
        try {
          publisher = HttpRequest.BodyPublishers.ofFile(f.file());
        } catch (FileNotFoundException | SecurityException e) {
          throw new HttpRequestFailedException(request.method(), uri, false, e);
        }
        contentType = f.contentType();
      }
      case Http.StreamBody b -> {
        StreamTable table = streams;
        if (table == null) {
          throw new IllegalStateException(
              "a StreamBody needs the "
                  + StreamTable.COMPONENT_NAME
                  + " component: boot HttpModule.withStreams() with StreamTable.component()");
        }
        streamBody = new StreamBodyPublisher(table, context, b.stream());
        publisher = HttpRequest.BodyPublishers.fromPublisher(streamBody);
        contentType = b.contentType();
      }
      case Http.FormBody f -> {
        publisher = HttpRequest.BodyPublishers.ofString(Http.encodeForm(f.fields(), false));
        contentType = "application/x-www-form-urlencoded";
      }
      case Http.MultipartBody m -> {
        String boundary = Multipart.boundary();
        publisher = HttpRequest.BodyPublishers.ofByteArray(Multipart.encode(m.parts(), boundary));
        contentType = "multipart/form-data; boundary=" + boundary;
      }
    }
    if (contentType != null && !hasContentType) {
      builder.header("Content-Type", contentType);
    }
    builder.method(request.method(), publisher);
    return new Built(builder.build(), streamBody);
  }

  /**
   * A JDK request and, for a {@link Http.StreamBody}, its publisher, which must be stopped when the
   * exchange ends (or is aborted) so that no read of the caller's stream outlives it.
   */
  private record Built(HttpRequest request, @Nullable StreamBodyPublisher streamBody) {
    void stopBody() {
      if (streamBody != null) {
        streamBody.stop();
      }
    }
  }

  private static Http.Response toResponse(HttpResponse<byte[]> response) {
    return new Http.Response(
        response.statusCode(), response.headers().map(), response.body(), response.uri());
  }

  /** The typed error for a request that got no (acceptable) response. */
  private static Exception failure(Http.Request request, Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ResponseTooLargeException tooLarge) {
        return tooLarge;
      }
      if (t instanceof HandleNotFoundException || t instanceof StreamOperationException) {
        return (Exception) t; // a StreamBody the caller does not own, or cannot read
      }
      if (t instanceof HttpTimeoutException) {
        return new HttpRequestFailedException(
            request.method(), request.effectiveUri(), true, cause);
      }
    }
    if (cause instanceof IllegalArgumentException invalid) {
      return invalid; // a restricted header, found when the client built the request
    }
    return new HttpRequestFailedException(request.method(), request.effectiveUri(), false, cause);
  }

  private static CancellationException cancelled(String what) {
    return new CancellationException(
        what + " was cancelled: its deadline passed or its caller ended");
  }
}
