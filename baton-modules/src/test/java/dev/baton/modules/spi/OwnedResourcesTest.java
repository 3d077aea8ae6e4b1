package dev.baton.modules.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.modules.HandleNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The handle table every module keeps its per-process resources in: ownership checks, release when
 * the owner goes, and exactly one release whoever races to remove an entry.
 */
class OwnedResourcesTest {
  private final OwnedResources<String> table = new OwnedResources<>("widget");

  @Test
  void addingForAnOwnerAlreadyCancelled_releasesAtOnce_andTheHandleIsDead() {
    CancellationSignal signal = new CancellationSignal();
    signal.cancel();
    CommandContext owner = context("owner", signal);
    List<String> released = new ArrayList<>();

    long handle = table.add(owner, "w1", released::add);

    assertThat(released).containsExactly("w1");
    assertThat(table.size()).isZero();
    assertThatThrownBy(() -> table.get(owner, handle)).isInstanceOf(HandleNotFoundException.class);
    assertThatThrownBy(() -> table.remove(owner, handle))
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(table.forget(handle)).isNull();
  }

  @Test
  void anotherCallersGetOrRemove_isNotFound_andLeavesTheEntry() {
    CancellationSignal signal = new CancellationSignal();
    CommandContext owner = context("owner", signal);
    CommandContext intruder = context("intruder", new CancellationSignal());
    List<String> released = new ArrayList<>();
    long handle = table.add(owner, "w1", released::add);

    assertThatThrownBy(() -> table.remove(intruder, handle))
        .isInstanceOf(HandleNotFoundException.class)
        .hasMessageContaining("widget " + handle);
    assertThatThrownBy(() -> table.get(intruder, handle))
        .isInstanceOf(HandleNotFoundException.class);

    assertThat(table.size()).isEqualTo(1);
    assertThat(table.get(owner, handle)).isEqualTo("w1");
    signal.cancel();
    assertThat(released).as("still released with its owner").containsExactly("w1");
    assertThat(table.size()).isZero();
  }

  @Test
  void removeByTheOwner_unhooksTheCancelCallback_soTheOwnersEndReleasesNothing() {
    CancellationSignal signal = new CancellationSignal();
    CommandContext owner = context("owner", signal);
    List<String> released = new ArrayList<>();
    long handle = table.add(owner, "w1", released::add);

    assertThat(table.remove(owner, handle)).isEqualTo("w1");
    signal.cancel();

    assertThat(released).isEmpty();
    assertThat(table.size()).isZero();
  }

  @Test
  void forgetRacingTheOwnersCancel_releasesExactlyOnce_everyTime() throws Exception {
    for (int run = 0; run < 1_000; run++) {
      CancellationSignal signal = new CancellationSignal();
      CommandContext owner = context("owner", signal);
      AtomicInteger ownerGoneReleases = new AtomicInteger();
      long handle = table.add(owner, "w" + run, resource -> ownerGoneReleases.incrementAndGet());
      AtomicReference<@Nullable String> forgotten = new AtomicReference<>();
      CyclicBarrier start = new CyclicBarrier(2);

      Thread canceller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    await(start);
                    signal.cancel();
                  });
      Thread forgetter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    await(start);
                    forgotten.set(table.forget(handle));
                  });
      assertThat(canceller.join(java.time.Duration.ofSeconds(10))).isTrue();
      assertThat(forgetter.join(java.time.Duration.ofSeconds(10))).isTrue();

      int releases = ownerGoneReleases.get() + (forgotten.get() != null ? 1 : 0);
      assertThat(releases).as("run %d: releases", run).isEqualTo(1);
      assertThat(table.size()).isZero();
    }
  }

  @Test
  void clear_removesAndReturnsEveryEntry_andUnhooksTheirCancelCallbacks() {
    CancellationSignal first = new CancellationSignal();
    CancellationSignal second = new CancellationSignal();
    List<String> released = new ArrayList<>();
    long a = table.add(context("p1", first), "a", released::add);
    long b = table.add(context("p2", second), "b", released::add);

    assertThat(table.clear()).containsExactlyInAnyOrder("a", "b");

    assertThat(table.size()).isZero();
    first.cancel();
    second.cancel();
    assertThat(released).as("the module's stop releases them, not the owners").isEmpty();
    assertThat(table.forget(a)).isNull();
    assertThat(table.forget(b)).isNull();
    assertThat(table.clear()).isEmpty();
  }

  @Test
  void handlesAreNeverReused() {
    CommandContext owner = context("owner", new CancellationSignal());
    long first = table.add(owner, "a", resource -> {});
    assertThat(table.forget(first)).isEqualTo("a");

    long second = table.add(owner, "b", resource -> {});

    assertThat(second).isNotEqualTo(first);
    assertThatThrownBy(() -> table.get(owner, first)).isInstanceOf(HandleNotFoundException.class);
  }

  @Test
  void aHandleMadeByADeadlineYield_isReleasedIfTheYieldIsAbandoned_butOutlivesAYieldReadInTime() {
    CancellationSignal process = new CancellationSignal();
    CancellationSignal abandonedYield = new CancellationSignal();
    CancellationSignal settledYield = new CancellationSignal();
    CommandContext processScope = context("owner", process);
    List<String> released = new ArrayList<>();

    long kept = table.add(yieldContext(processScope, settledYield), "kept", released::add);
    var _ = table.add(yieldContext(processScope, abandonedYield), "abandoned", released::add);
    // The deadline passed before the process read the completion carrying "abandoned"'s handle.
    abandonedYield.cancel();

    assertThat(released).containsExactly("abandoned");
    assertThat(table.get(processScope, kept)).isEqualTo("kept");
    process.cancel();
    assertThat(released).containsExactly("abandoned", "kept");
  }

  /** The context of a command yielded with a deadline: its own signal, the process's scope. */
  private static CommandContext yieldContext(CommandContext process, CancellationSignal signal) {
    return new CommandContext() {
      @Override
      public Object caller() {
        return process.caller();
      }

      @Override
      public boolean isCancelled() {
        return signal.isCancelled();
      }

      @Override
      public dev.baton.dispatch.Registration onCancel(Runnable action) {
        return signal.onCancel(action);
      }

      @Override
      public AppContext services() {
        return process.services();
      }

      @Override
      public CommandContext callerScope() {
        return process;
      }
    };
  }

  private static CommandContext context(String caller, CancellationSignal signal) {
    return CommandContext.of(caller, AppContext.empty(), signal);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the racing threads did not meet", e);
    }
  }
}
