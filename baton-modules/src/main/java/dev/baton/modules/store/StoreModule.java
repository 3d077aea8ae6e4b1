package dev.baton.modules.store;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.store.spi.StoreBackend;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The store module (ids 120-126): each command resolves its store among the node's {@link Stores}
 * and runs one asynchronous backend call, completing the command when the backend's stage does.
 *
 * <p><b>Concurrency.</b> Handlers never block: they start the backend call on the dispatching
 * thread and complete from whichever thread completes its stage (at once for the in-memory store, a
 * client's I/O thread for Redis). Ordering between commands of different processes is the backend's
 * (linearizable per key); one process's commands run in the order it yields them when it waits for
 * each.
 *
 * <p><b>Cancellation.</b> A command nobody waits for any more (its process ended, or it was yielded
 * with a deadline that passed) is not started, or, while its call is pending, the handler cancels
 * the stage it holds (a hint the backend may use; a write already sent may still land). Either way
 * it completes with a {@link CancellationException}, which the runtime drops, so the yield's tag is
 * freed. The cancellation callback is removed when the call completes first.
 *
 * <p><b>Errors.</b> {@link StoreNotFoundException} (no such store), {@link KeyNotFoundException}
 * ({@link Store.Get} of an absent key), {@link VersionConflictException} (a failed {@link
 * Store.Put} condition), {@link StoreUnavailableException} (the backend failed or is closed: names
 * the store, the operation and the key, with the backend's error as cause).
 */
public final class StoreModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "store";

  /** Creates the module; it serves the stores of the node's {@link Stores} component. */
  public StoreModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public java.util.Set<CommandId> commandIds() {
    return java.util.Set.of(
        Store.GET, Store.SET, Store.DELETE, Store.HAS, Store.ENTRY, Store.LIST, Store.PUT);
  }

  /** The module resolves store names in the {@link Stores} component's service. */
  @Override
  public List<String> dependsOn() {
    return List.of(Stores.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    Stores stores = services.require(Stores.KEY);
    registrar.register(
        Store.GET,
        Handler.forType(
            Store.Get.class,
            (context, get, tag, receiver) -> {
              StoreBackend backend = stores.require(get.store());
              run(
                  context,
                  tag,
                  receiver,
                  () -> backend.entry(get.key()),
                  (Optional<StoreEntry> entry) ->
                      entry
                          .orElseThrow(() -> new KeyNotFoundException(get.store(), get.key()))
                          .value());
            }));
    registrar.register(
        Store.SET,
        Handler.forType(
            Store.Set.class,
            (context, set, tag, receiver) -> {
              StoreBackend backend = stores.require(set.store());
              run(
                  context,
                  tag,
                  receiver,
                  () -> backend.put(set.key(), set.value(), Store.PutOptions.NONE),
                  version -> version);
            }));
    registrar.register(
        Store.DELETE,
        Handler.forType(
            Store.Delete.class,
            (context, delete, tag, receiver) -> {
              StoreBackend backend = stores.require(delete.store());
              run(context, tag, receiver, () -> backend.delete(delete.key()), existed -> existed);
            }));
    registrar.register(
        Store.HAS,
        Handler.forType(
            Store.Has.class,
            (context, has, tag, receiver) -> {
              StoreBackend backend = stores.require(has.store());
              run(context, tag, receiver, () -> backend.has(has.key()), present -> present);
            }));
    registrar.register(
        Store.ENTRY,
        Handler.forType(
            Store.Entry.class,
            (context, entry, tag, receiver) -> {
              StoreBackend backend = stores.require(entry.store());
              run(context, tag, receiver, () -> backend.entry(entry.key()), found -> found);
            }));
    registrar.register(
        Store.LIST,
        Handler.forType(
            Store.List.class,
            (context, list, tag, receiver) -> {
              StoreBackend backend = stores.require(list.store());
              run(
                  context,
                  tag,
                  receiver,
                  () -> backend.list(list.prefix(), list.cursor(), list.limit()),
                  page -> page);
            }));
    registrar.register(
        Store.PUT,
        Handler.forType(
            Store.Put.class,
            (context, put, tag, receiver) -> {
              StoreBackend backend = stores.require(put.store());
              run(
                  context,
                  tag,
                  receiver,
                  () -> backend.put(put.key(), put.value(), put.options()),
                  version -> version);
            }));
  }

  /**
   * Starts {@code call} unless the caller is gone, and completes {@code tag} with its mapped result
   * or its error when it completes, unless the caller has gone meanwhile.
   */
  private static <T> void run(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      Supplier<CompletionStage<T>> call,
      Function<? super T, ?> result) {
    if (context.isCancelled()) {
      // Nobody will read the completion: start no work, and complete so the runtime forgets the
      // yield (it drops the error).
      receiver.completeYield(tag, null, abandoned());
      return;
    }
    CompletableFuture<T> pending = call.get().toCompletableFuture();
    if (pending.isDone()) {
      // The in-memory store answers at once: no cancellation to watch.
      complete(pending, tag, receiver, result);
      return;
    }
    // Runs at once if the caller went away meanwhile.
    Registration stopOnCancel = context.onCancel(() -> pending.cancel(false));
    var _ =
        pending.whenComplete(
            (value, error) -> {
              stopOnCancel.remove();
              if (context.isCancelled()) {
                receiver.completeYield(tag, null, abandoned());
              } else {
                complete(pending, tag, receiver, result);
              }
            });
  }

  /** The error a command completes with once nobody waits for it; the runtime drops it. */
  private static CancellationException abandoned() {
    return new CancellationException(
        "the store command was abandoned: its process ended or its yield's deadline passed");
  }

  private static <T> void complete(
      CompletableFuture<T> done, long tag, ResultReceiver receiver, Function<? super T, ?> result) {
    @Nullable Object value = null;
    @Nullable Throwable error = null;
    try {
      value = result.apply(done.join());
    } catch (CompletionException e) {
      error = e.getCause() == null ? e : e.getCause();
    } catch (RuntimeException e) {
      error = e;
    }
    receiver.completeYield(tag, value, error);
  }
}
