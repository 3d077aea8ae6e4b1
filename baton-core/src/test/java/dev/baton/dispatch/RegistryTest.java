package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class RegistryTest {
  private static final Handler NOOP = (context, command, tag, receiver) -> {};

  private final Registry registry = new Registry();

  private Registrar reserved(String module, int... ids) {
    for (int id : ids) {
      registry.reservations().reserve(module, CommandId.of(id));
    }
    return registry.registrar(module);
  }

  @Test
  void register_systemId_isReturnedByLookup() {
    Handler handler = (context, command, tag, receiver) -> {};
    reserved("m", 200).register(CommandId.of(200), handler);

    assertThat(registry.handler(200)).isSameAs(handler);
    assertThat(registry.handler(CommandId.of(200))).isSameAs(handler);
  }

  @Test
  void register_customId_isReturnedByLookup() {
    reserved("m", 300).register(CommandId.of(300), NOOP);

    assertThat(registry.handler(300)).isSameAs(NOOP);
  }

  @Test
  void register_sameSystemIdTwice_failsNamingTheIdAndHolder() {
    Registrar registrar = reserved("m", 200);
    registrar.register(CommandId.of(200), NOOP);

    assertThatThrownBy(() -> registrar.register(CommandId.of(200), NOOP))
        .isInstanceOf(DuplicateHandlerException.class)
        .hasMessageContaining("command 200")
        .hasMessageContaining("'m'");
  }

  @Test
  void register_sameCustomIdTwice_fails() {
    Registrar registrar = reserved("m", 300);
    registrar.register(CommandId.of(300), NOOP);

    assertThatThrownBy(() -> registrar.register(CommandId.of(300), NOOP))
        .isInstanceOf(DuplicateHandlerException.class)
        .hasMessageContaining("command 300");
  }

  @Test
  void register_afterFreeze_fails() {
    Registrar registrar = reserved("m", 200);
    registry.freeze();

    assertThatThrownBy(() -> registrar.register(CommandId.of(200), NOOP))
        .isInstanceOf(RegistryFrozenException.class)
        .hasMessageContaining("frozen");
  }

  @Test
  void register_idTheModuleHasNotReserved_fails() {
    assertThatThrownBy(() -> registry.registrar("m").register(CommandId.of(300), NOOP))
        .isInstanceOf(UnreservedCommandIdException.class)
        .hasMessageContaining("'m'")
        .hasMessageContaining("has not reserved");
  }

  @Test
  void register_idReservedByAnotherModule_failsNamingTheHolder() {
    reserved("owner", 300);

    assertThatThrownBy(() -> registry.registrar("intruder").register(CommandId.of(300), NOOP))
        .isInstanceOf(UnreservedCommandIdException.class)
        .hasMessageContaining("'owner'");
  }

  @Test
  void lookup_unregisteredIds_returnsNull_andHasIsFalseUntilRegistered() {
    Registrar registrar = reserved("m", 200, 300);
    assertThat(registry.has(CommandId.of(200))).isFalse();
    assertThat(registry.has(CommandId.of(300))).isFalse();
    assertThat(registry.handler(201)).isNull();

    registrar.register(CommandId.of(200), NOOP);
    registrar.register(CommandId.of(300), NOOP);

    assertThat(registry.has(CommandId.of(200))).isTrue();
    assertThat(registry.has(CommandId.of(300))).isTrue();
  }

  @Test
  void frozen_lookupsResolveBothRanges_andNonIdsFindNothing() {
    Handler system = (context, command, tag, receiver) -> {};
    Handler custom = (context, command, tag, receiver) -> {};
    Registrar registrar = reserved("m", 200, 300);
    registrar.register(CommandId.of(200), system);
    registrar.register(CommandId.of(300), custom);

    registry.freeze();

    assertThat(registry.isFrozen()).isTrue();
    assertThat(registry.handler(200)).isSameAs(system);
    assertThat(registry.handler(300)).isSameAs(custom);
    assertThat(registry.handler(201)).isNull();
    assertThat(registry.handler(301)).isNull();
    assertThat(registry.handler(-1)).isNull();
    assertThat(registry.handler(70_000)).isNull();
  }

  @Test
  void frozen_manyCustomIds_eachFindsItsOwnHandler_andAbsentIdsFindNone() {
    Random random = new Random(42);
    Map<Integer, Handler> expected = new HashMap<>();
    while (expected.size() < 1_000) {
      int id = CommandId.FIRST_CUSTOM + random.nextInt(CommandId.MAX_VALUE - 255);
      expected.computeIfAbsent(
          id,
          key -> {
            Handler handler = (context, command, tag, receiver) -> {};
            registry.reservations().reserve("m", CommandId.of(key));
            registry.registrar("m").register(CommandId.of(key), handler);
            return handler;
          });
    }

    registry.freeze();

    expected.forEach((id, handler) -> assertThat(registry.handler(id)).isSameAs(handler));
    for (int id = CommandId.FIRST_CUSTOM; id <= CommandId.MAX_VALUE; id++) {
      if (!expected.containsKey(id)) {
        assertThat(registry.handler(id)).isNull();
      }
    }
  }

  @Test
  void register_from100ThreadsAtOnce_everyHandlerLands() throws Exception {
    int threads = 100;
    List<Handler> handlers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      handlers.add((context, command, tag, receiver) -> {});
      registry.reservations().reserve("m", CommandId.of(1_000 + i));
    }
    Registrar registrar = registry.registrar("m");

    Concurrently.run(
        threads, index -> registrar.register(CommandId.of(1_000 + index), handlers.get(index)));

    registry.freeze();
    for (int i = 0; i < threads; i++) {
      assertThat(registry.handler(1_000 + i)).isSameAs(handlers.get(i));
    }
  }

  @Test
  void frozen_100ThreadsTimes1000Lookups_alwaysSeeTheRightHandler() throws Exception {
    Map<Integer, Handler> byId = new HashMap<>();
    // Ids outside Baton's standard ranges, at both ends of the system and custom blocks.
    for (int id : new int[] {0, 42, 200, 255, 256, 300, 4_000, 65_535}) {
      Handler handler = (context, command, tag, receiver) -> {};
      reserved("m", id).register(CommandId.of(id), handler);
      byId.put(id, handler);
    }
    registry.freeze();
    List<Integer> ids = List.copyOf(byId.keySet());
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();

    Concurrently.run(
        100,
        thread -> {
          for (int i = 0; i < 1_000; i++) {
            int id = ids.get((thread + i) % ids.size());
            if (!Objects.equals(registry.handler(id), byId.get(id))) {
              wrong.add("id " + id);
            }
          }
        });

    assertThat(wrong).isEmpty();
  }

  @Test
  void freeze_racingReaders_theyAllSeeTheFrozenTableOnceFrozen() throws Exception {
    Handler handler = (context, command, tag, receiver) -> {};
    reserved("m", 300).register(CommandId.of(300), handler);
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();

    Concurrently.run(
        4,
        thread -> {
          if (thread == 0) {
            registry.freeze();
            return;
          }
          while (!registry.isFrozen()) {
            if (!Objects.equals(registry.handler(300), handler)) {
              wrong.add("before the freeze");
            }
          }
          for (int i = 0; i < 10_000; i++) {
            if (!Objects.equals(registry.handler(300), handler)) {
              wrong.add("after the freeze");
            }
          }
        });

    assertThat(wrong).isEmpty();
  }

  @Test
  void register_racingFreeze_eachRegistrationEitherLandsOrIsRefused() throws Exception {
    int ids = 2_000;
    for (int i = 0; i < ids; i++) {
      registry.reservations().reserve("m", CommandId.of(1_000 + i));
    }
    Registrar registrar = registry.registrar("m");
    ConcurrentLinkedQueue<Integer> landed = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> refused = new ConcurrentLinkedQueue<>();

    Concurrently.run(
        3,
        thread -> {
          if (thread == 0) {
            registry.freeze();
            return;
          }
          for (int i = thread - 1; i < ids; i += 2) {
            try {
              registrar.register(CommandId.of(1_000 + i), NOOP);
              landed.add(1_000 + i);
            } catch (RegistryFrozenException e) {
              refused.add(1_000 + i);
            }
          }
        });

    assertThat(landed.size() + refused.size()).isEqualTo(ids);
    landed.forEach(id -> assertThat(registry.handler(id)).as("id %d", id).isSameAs(NOOP));
    refused.forEach(id -> assertThat(registry.handler(id)).as("id %d", id).isNull());
  }

  @Test
  void freeze_composesInterceptorsAroundEveryHandler_firstAddedOutermost() throws Exception {
    List<String> calls = new ArrayList<>();
    reserved("m", 200)
        .register(
            TestCommands.ECHO_ID,
            (context, command, tag, receiver) -> {
              calls.add("handler");
              receiver.completeYield(tag, "done", null);
            });
    registry.addInterceptor(
        (context, command, tag, receiver, next) -> {
          calls.add("outer");
          next.handle(context, command, tag, receiver);
        });
    registry.addInterceptor(
        (context, command, tag, receiver, next) -> {
          calls.add("inner");
          next.handle(context, command, tag, receiver);
        });
    registry.freeze();
    RecordingReceiver receiver = new RecordingReceiver();

    new CommandRouter(registry)
        .route(
            CommandContext.of("caller", AppContext.empty(), new CancellationSignal()),
            new TestCommands.Echo("x"),
            7,
            receiver);

    assertThat(calls).containsExactly("outer", "inner", "handler");
    assertThat(receiver.next(Duration.ofSeconds(1)).result()).isEqualTo("done");
  }

  @Test
  void frozen_interceptorsAlsoSeeCommandsNobodyHandles() throws Exception {
    List<CommandId> seen = new ArrayList<>();
    registry.addInterceptor(
        (context, command, tag, receiver, next) -> {
          seen.add(command.commandId());
          next.handle(context, command, tag, receiver);
        });
    registry.freeze();
    RecordingReceiver receiver = new RecordingReceiver();

    new CommandRouter(registry)
        .route(
            CommandContext.of("caller", AppContext.empty(), new CancellationSignal()),
            new TestCommands.AnyId(CommandId.of(999)),
            1,
            receiver);

    assertThat(seen).containsExactly(CommandId.of(999));
    assertThat(receiver.next(Duration.ofSeconds(1)).error())
        .isInstanceOf(UnknownCommandException.class);
  }

  @Test
  void addInterceptor_afterFreeze_fails() {
    registry.freeze();

    assertThatThrownBy(() -> registry.addInterceptor((context, command, tag, receiver, next) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("frozen");
  }

  @Test
  void freeze_calledTwice_keepsTheFirstTable() {
    Registrar registrar = reserved("m", 200);
    registrar.register(CommandId.of(200), NOOP);
    registry.freeze();

    registry.freeze();

    assertThat(registry.handler(200)).isSameAs(NOOP);
  }
}
