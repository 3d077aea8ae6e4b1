package dev.baton.security;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The security module (ids 130-132): creates, validates and revokes signed tokens (JWT) of the
 * node's {@link TokenStores}, keeping revocations in a store of the store module ({@link Stores}),
 * reading time from the node's {@link TimeSource}.
 *
 * <p><b>Threads.</b> Handlers never block. Cheap work runs on the dispatching thread: parsing, HMAC
 * signing and verification (about 0.01-0.02 ms), RSA verification (about 0.04 ms). Work measured
 * slow enough to hold a scheduler thread runs on the module's small pool of platform workers
 * (daemon threads {@code baton-security-N}, at most 4): RSA signing (about 0.8 ms with a 2048-bit
 * key), ECDSA signing and verification (about 0.13 and 0.36 ms). Revocation reads and writes are
 * the store backend's asynchronous calls; a command completes from whichever thread finishes its
 * last step (a worker, or the backend's I/O thread for Redis).
 *
 * <p><b>Cancellation.</b> A command nobody waits for any more (its process ended, or its yield's
 * deadline passed) starts no work, or, while pending, has its pending stage cancelled (a hint: a
 * signature already being computed finishes, a revocation already sent may land), and completes
 * with a {@link CancellationException}, which the runtime drops.
 *
 * <p><b>Errors.</b> {@link TokenStoreNotFoundException}, the {@link InvalidTokenException} family,
 * {@link InsufficientScopeException}, {@link TtlTooLongException}, {@link NoSigningKeyException},
 * and the store module's {@code StoreUnavailableException} when the revocation store fails
 * (validation then fails closed: the token is not accepted).
 *
 * <p>Boot it with {@code Dispatcher.component(new SecurityModule())} next to {@link
 * TokenStores#component} and {@link Stores#component}; every token store's revocation store must
 * exist, or the boot fails naming it.
 */
public final class SecurityModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "security";

  /** The workers for slow signatures. Shut down by {@link #stop()}. */
  private final ExecutorService workers;

  /** Creates the module with {@code min(4, processors)} workers for slow signatures. */
  public SecurityModule() {
    this(Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Creates the module with {@code workers} threads for slow signatures.
   *
   * @throws IllegalArgumentException if {@code workers} is under 1
   */
  public SecurityModule(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    this.workers =
        Executors.newFixedThreadPool(
            workers, Thread.ofPlatform().name("baton-security-", 0).daemon().factory());
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Security.VALIDATE_TOKEN, Security.CREATE_TOKEN, Security.REVOKE_TOKEN);
  }

  /** The module needs the token stores, the store module's stores and the node's time source. */
  @Override
  public List<String> dependsOn() {
    return List.of(
        TokenStores.COMPONENT_NAME, Stores.COMPONENT_NAME, SystemTimeSource.COMPONENT_NAME);
  }

  /**
   * Registers the handlers.
   *
   * @throws dev.baton.modules.store.StoreNotFoundException if a token store's revocation store is
   *     not among the node's stores
   */
  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    TokenStores tokenStores = services.require(TokenStores.KEY);
    Stores stores = services.require(Stores.KEY);
    TimeSource time = services.require(TimeSource.KEY);
    for (TokenStore store : tokenStores.all()) {
      var _ = stores.require(store.revocationStore()); // fail the boot, not the first command
    }
    registrar.register(
        Security.CREATE_TOKEN,
        Handler.forType(
            Security.CreateToken.class,
            (context, create, tag, receiver) ->
                run(context, tag, receiver, inflight -> create(tokenStores, time, create))));
    registrar.register(
        Security.VALIDATE_TOKEN,
        Handler.forType(
            Security.ValidateToken.class,
            (context, validate, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    inflight -> validate(tokenStores, stores, time, validate, inflight))));
    registrar.register(
        Security.REVOKE_TOKEN,
        Handler.forType(
            Security.RevokeToken.class,
            (context, revoke, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    inflight -> revoke(tokenStores, stores, time, revoke, inflight))));
  }

  /** Stops the workers; a command arriving later fails with {@link IllegalStateException}. */
  @Override
  public void stop() {
    workers.shutdownNow();
  }

  private CompletableFuture<IssuedToken> create(
      TokenStores tokenStores, TimeSource time, Security.CreateToken create) {
    TokenStore store = tokenStores.require(create.store());
    TokenStore.KeyEntry key = store.signingKey();
    if (key == null) {
      throw new NoSigningKeyException(store.name());
    }
    Duration ttl = create.ttl() == null ? store.defaultTtl() : create.ttl();
    if (ttl.compareTo(store.maxTtl()) > 0) {
      throw new TtlTooLongException(store.name(), ttl, store.maxTtl());
    }
    return compute(
        key.algorithm().slowToSign(),
        () -> store.sign(key, create.subject(), create.scopes(), ttl, create.claims(), time.now()));
  }

  private CompletableFuture<TokenInfo> validate(
      TokenStores tokenStores,
      Stores stores,
      TimeSource time,
      Security.ValidateToken validate,
      Inflight inflight) {
    TokenStore store = tokenStores.require(validate.store());
    StoreBackend revocations = stores.require(store.revocationStore());
    TokenStore.Parsed parsed = store.parse(validate.token());
    return compute(parsed.key().algorithm().slowToVerify(), () -> store.verify(parsed))
        .thenCompose(
            verified -> {
              store.checkTime(verified, time.now());
              return inflight
                  .track(revocations.has(store.revocationKey(verified.id())))
                  .thenApply(
                      revoked -> {
                        if (revoked) {
                          throw new TokenRevokedException(store.name(), verified.id());
                        }
                        Set<String> missing = new LinkedHashSet<>(validate.requiredScopes());
                        missing.removeAll(verified.scopes());
                        if (!missing.isEmpty()) {
                          throw new InsufficientScopeException(
                              store.name(), verified.subject(), missing);
                        }
                        return verified.info(store.name());
                      });
            });
  }

  private CompletableFuture<Boolean> revoke(
      TokenStores tokenStores,
      Stores stores,
      TimeSource time,
      Security.RevokeToken revoke,
      Inflight inflight) {
    TokenStore store = tokenStores.require(revoke.store());
    StoreBackend revocations = stores.require(store.revocationStore());
    String token = revoke.token();
    if (token == null) {
      // Trusted id: the entry outlives any token the store can accept under it.
      String id = java.util.Objects.requireNonNull(revoke.tokenId());
      Duration ttl = store.revocationByIdTtl();
      return record(revocations, store.revocationKey(id), ttl, time.now(), inflight);
    }
    TokenStore.Parsed parsed = store.parse(token);
    return compute(parsed.key().algorithm().slowToVerify(), () -> store.verify(parsed))
        .thenCompose(
            verified -> {
              Instant now = time.now();
              // The token is accepted until expiry plus skew: the entry must live that long.
              Instant acceptedUntil = verified.expiresAt().plus(store.clockSkew());
              if (!now.isBefore(acceptedUntil)) {
                return CompletableFuture.completedFuture(false); // already dead: nothing to record
              }
              Duration ttl = Duration.between(now, acceptedUntil);
              if (ttl.compareTo(Duration.ofMillis(1)) < 0) {
                ttl = Duration.ofMillis(1);
              }
              return record(revocations, store.revocationKey(verified.id()), ttl, now, inflight);
            });
  }

  /** Writes the revocation entry if absent: true if written, false if it was there already. */
  private static CompletableFuture<Boolean> record(
      StoreBackend revocations, String key, Duration ttl, Instant now, Inflight inflight) {
    return inflight
        .track(
            revocations.put(
                key, Store.utf8("revoked at " + now), Store.PutOptions.ifAbsent().withTtl(ttl)))
        .handle(
            (version, error) -> {
              if (error == null) {
                return true;
              }
              Throwable cause = unwrap(error);
              if (cause instanceof VersionConflictException) {
                return false; // revoked before: revocation is idempotent
              }
              throw cause instanceof RuntimeException runtime
                  ? runtime
                  : new CompletionException(cause);
            })
        .toCompletableFuture();
  }

  /** Runs {@code work} on the workers if {@code slow}, else here; a throw fails the future. */
  private <T> CompletableFuture<T> compute(boolean slow, Supplier<T> work) {
    if (slow) {
      try {
        return CompletableFuture.supplyAsync(work, workers);
      } catch (RejectedExecutionException e) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the security module has stopped", e));
      }
    }
    try {
      return CompletableFuture.completedFuture(work.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Starts {@code call} unless the caller is gone, and completes {@code tag} with its result or
   * error when it completes, unless the caller has gone meanwhile.
   */
  private static <T> void run(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      Function<Inflight, CompletableFuture<T>> call) {
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, abandoned());
      return;
    }
    Inflight inflight = new Inflight();
    CompletableFuture<T> pending;
    try {
      pending = call.apply(inflight);
    } catch (RuntimeException e) {
      // A failure found inline (unknown store, malformed token, ...): the answer is ready.
      receiver.completeYield(tag, null, e);
      return;
    }
    if (pending.isDone()) {
      complete(pending, tag, receiver);
      return;
    }
    // Runs at once if the caller went away meanwhile.
    Registration stopOnCancel =
        context.onCancel(
            () -> {
              inflight.cancelAll();
              pending.cancel(false);
            });
    var _ =
        pending.whenComplete(
            (value, error) -> {
              stopOnCancel.remove();
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, abandoned());
              } else {
                complete(pending, tag, receiver);
              }
            });
  }

  /**
   * The backend calls one command has started, so a cancellation reaches them (cancelling the
   * command's composed future would not reach a stage it composed). Thread-safe: {@link #track}
   * runs on whichever thread starts a call, {@link #cancelAll} on the canceller's; a call tracked
   * after {@link #cancelAll} is cancelled at once.
   */
  private static final class Inflight {
    private final Queue<CompletableFuture<?>> calls = new ConcurrentLinkedQueue<>();
    private volatile boolean cancelled;

    <T> CompletableFuture<T> track(CompletionStage<T> stage) {
      CompletableFuture<T> call = stage.toCompletableFuture();
      calls.add(call);
      if (cancelled) {
        call.cancel(false);
      }
      return call;
    }

    void cancelAll() {
      cancelled = true;
      calls.forEach(call -> call.cancel(false));
    }
  }

  private static CancellationException abandoned() {
    return new CancellationException(
        "the security command was abandoned: its process ended or its yield's deadline passed");
  }

  private static <T> void complete(CompletableFuture<T> done, long tag, ResultReceiver receiver) {
    @Nullable Object value = null;
    @Nullable Throwable error = null;
    try {
      value = done.join();
    } catch (CompletionException | CancellationException e) {
      error = unwrap(e);
    }
    receiver.completeYield(tag, value, error);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
