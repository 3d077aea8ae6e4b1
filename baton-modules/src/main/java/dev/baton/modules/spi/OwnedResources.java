package dev.baton.modules.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Registration;
import dev.baton.modules.HandleNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The resources one kind of command creates (timers, subscriptions, OS processes, asynchronous
 * calls), each under a handle number and owned by the process whose command created it.
 *
 * <p><b>Concurrency.</b> A concurrent map from handle to entry; handles come from a counter and are
 * never reused, so a stale handle can never reach a newer resource. An entry leaves the map exactly
 * once: {@code remove(handle, entry)} decides the race between the owner's explicit stop ({@link
 * #remove}), the resource finishing by itself ({@link #forget}), the owner's end (the cancellation
 * callback) and the module's stop ({@link #clear}), and only the remover releases the resource.
 * Every method may be called from any thread.
 *
 * @param <R> the resource type
 */
public final class OwnedResources<R> {
  private final String kind;
  private final AtomicLong lastHandle = new AtomicLong();
  private final ConcurrentHashMap<Long, Owned<R>> byHandle = new ConcurrentHashMap<>();

  /**
   * @param kind what the resources are, for error messages, for example {@code "timer"}
   */
  public OwnedResources(String kind) {
    this.kind = requireNonNull(kind, "kind");
  }

  /** Reserves the next handle, for resources that must know their handle before being added. */
  public long nextHandle() {
    return lastHandle.incrementAndGet();
  }

  /**
   * Adds {@code resource} under a new handle; see {@link #add(long, CommandContext, Object,
   * Consumer)}.
   */
  public long add(CommandContext owner, R resource, Consumer<? super R> onOwnerGone) {
    long handle = nextHandle();
    add(handle, owner, resource, onOwnerGone);
    return handle;
  }

  /**
   * Adds {@code resource} under {@code handle} (from {@link #nextHandle()}), owned by {@code
   * owner}'s caller. When the owner goes away, the resource is removed and {@code onOwnerGone} runs
   * with it, on the thread that cancels the owner (so it must be short and must not block). If the
   * owner is already gone, that happens before this method returns. The same happens if {@code
   * owner} is the context of a command yielded with a deadline and the deadline passes before the
   * process read the completion (which then never reaches it, so nobody could use the handle).
   */
  public void add(long handle, CommandContext owner, R resource, Consumer<? super R> onOwnerGone) {
    requireNonNull(resource, "resource");
    requireNonNull(onOwnerGone, "onOwnerGone");
    Owned<R> owned = new Owned<>(owner.caller(), resource);
    if (byHandle.putIfAbsent(handle, owned) != null) {
      throw new IllegalArgumentException(kind + " handle " + handle + " is already in use");
    }
    Runnable release =
        () -> {
          if (byHandle.remove(handle, owned)) {
            onOwnerGone.accept(resource);
          }
        };
    // The caller's own scope, not the command's: a command yielded with a deadline has a context
    // cancelled at the deadline, and what it created for its caller must outlive it.
    CommandContext callerScope = owner.callerScope();
    Registration registration = callerScope.onCancel(release);
    owned.cancelRegistration = registration;
    if (byHandle.get(handle) != owned) {
      // Removed before the registration was recorded: nobody else will unregister it.
      registration.remove();
    }
    if (!isSameContext(callerScope, owner)) {
      // Yielded with a deadline: the command's own context is cancelled only if the deadline
      // passes (or the process ends) before the completion carrying the handle is read, and then
      // the runtime drops that completion, so the process never learns the handle: release it.
      // Once the completion is read the command's context is never cancelled, so this callback,
      // never removed, never runs.
      var _ = owner.onCancel(release);
    }
  }

  @SuppressWarnings("ReferenceEquality") // contexts have identity: a command's own, or its caller's
  private static boolean isSameContext(CommandContext a, CommandContext b) {
    return a == b;
  }

  /**
   * Returns the resource under {@code handle} if {@code caller}'s process owns it.
   *
   * @throws HandleNotFoundException if there is none, or another process owns it
   */
  public R get(CommandContext caller, long handle) {
    Owned<R> owned = byHandle.get(handle);
    if (owned == null || !owned.owner.equals(caller.caller())) {
      throw new HandleNotFoundException(kind, handle);
    }
    return owned.resource;
  }

  /**
   * Removes and returns the resource under {@code handle} if {@code caller}'s process owns it; the
   * caller releases it.
   *
   * @throws HandleNotFoundException if there is none, or another process owns it
   */
  public R remove(CommandContext caller, long handle) {
    Owned<R> owned = byHandle.get(handle);
    if (owned == null || !owned.owner.equals(caller.caller()) || !byHandle.remove(handle, owned)) {
      throw new HandleNotFoundException(kind, handle);
    }
    owned.unregister();
    return owned.resource;
  }

  /**
   * Removes the resource under {@code handle} whoever owns it, for a resource that finished by
   * itself; returns it, or null if it was already removed (and so released by its remover).
   */
  public @Nullable R forget(long handle) {
    Owned<R> owned = byHandle.remove(handle);
    if (owned == null) {
      return null;
    }
    owned.unregister();
    return owned.resource;
  }

  /** Removes every resource and returns them, for the module's stop; the caller releases them. */
  public List<R> clear() {
    List<R> removed = new ArrayList<>();
    for (Long handle : List.copyOf(byHandle.keySet())) {
      R resource = forget(handle);
      if (resource != null) {
        removed.add(resource);
      }
    }
    return removed;
  }

  /** The number of live resources. */
  public int size() {
    return byHandle.size();
  }

  /** One resource and who owns it. */
  private static final class Owned<R> {
    final Object owner;
    final R resource;

    /** Written once by {@link #add} after the entry is published; read by whoever removes it. */
    volatile @Nullable Registration cancelRegistration;

    Owned(Object owner, R resource) {
      this.owner = owner;
      this.resource = resource;
    }

    void unregister() {
      Registration registration = cancelRegistration;
      if (registration != null) {
        registration.remove();
      }
    }
  }
}
