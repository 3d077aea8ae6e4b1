package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.time.ManualTimeSource;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The seed's customisation points: marshallers, invokers, id makers, options, roles, events. */
class CustomisationTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  /** add(int, int) as eight bytes and its sum as four: no reflection, no JSON. */
  static final class TwoIntsMarshaller implements Marshaller {
    @Override
    public byte[] encodeArguments(TaskSignature signature, @Nullable Object[] arguments) {
      return ByteBuffer.allocate(8)
          .putInt((Integer) java.util.Objects.requireNonNull(arguments[0]))
          .putInt((Integer) java.util.Objects.requireNonNull(arguments[1]))
          .array();
    }

    @Override
    public @Nullable Object[] decodeArguments(TaskSignature signature, byte[] data) {
      ByteBuffer buffer = ByteBuffer.wrap(data);
      return new @Nullable Object[] {buffer.getInt(), buffer.getInt()};
    }

    @Override
    public byte[] encodeReturn(TaskSignature signature, @Nullable Object value) {
      return ByteBuffer.allocate(4)
          .putInt((Integer) java.util.Objects.requireNonNull(value))
          .array();
    }

    @Override
    public @Nullable Object decodeReturn(TaskSignature signature, byte[] data) {
      return ByteBuffer.wrap(data).getInt();
    }
  }

  @Test
  void aCustomMarshallerAndInvokerPairCarriesATaskChosenById() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger invocations = new AtomicInteger();
    Invoker counting =
        (signature, function, arguments) -> {
          invocations.incrementAndGet();
          return function.invoke(arguments);
        };
    try (InMemoryBroker broker = new InMemoryBroker(time);
        InMemoryBackend backend = new InMemoryBackend(time);
        TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
      app.use(broker);
      app.use(backend);
      app.addMarshaller(100, new TwoIntsMarshaller(), counting);
      app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
      app.setMarshaller("add", 100, 100);
      app.allocate("add", 1, 0);

      assertThat(app.call("add", 20, 22).await(BOUND)).isEqualTo(42);
      assertThat(invocations).hasValue(1);
      assertThatThrownBy(() -> app.addMarshaller(3, new TwoIntsMarshaller(), counting))
          .isInstanceOf(TaskConfigurationException.class)
          .hasMessageContaining("100");
      assertThatThrownBy(() -> app.addMarshaller(100, new TwoIntsMarshaller(), counting))
          .isInstanceOf(TaskConfigurationException.class)
          .hasMessageContaining("already exists");
      assertThatThrownBy(() -> app.setMarshaller("add", 101, 0))
          .isInstanceOf(TaskConfigurationException.class)
          .hasMessageContaining("101");
    }
  }

  @Test
  void idMakersAreChosenPerTaskAndIdsRepeatAcrossNamesOnly() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      app.register("a", int.class, int.class, n -> n);
      app.register("b", int.class, int.class, n -> n);
      app.register("c", int.class, int.class, n -> n);
      app.addIdMaker(100, IdMakers.sequential());
      app.addIdMaker(101, IdMakers.sequential());
      app.setIdMaker("a", 100);
      app.setIdMaker("b", 101);
      app.setIdMaker("c", IdMakers.UUID_V7);
      app.allocate("a", 1, 0);
      app.allocate("b", 1, 0);
      app.allocate("c", 1, 0);

      Result<@Nullable Object> a = app.call("a", 1);
      Result<@Nullable Object> b = app.call("b", 2);
      Result<@Nullable Object> c = app.call("c", 3);

      assertThat(a.key()).isEqualTo(new TaskKey("a", "1"));
      assertThat(b.key()).isEqualTo(new TaskKey("b", "1"));
      assertThat(UUID.fromString(c.key().id()).version()).isEqualTo(7);
      assertThat(List.of(a.await(BOUND), b.await(BOUND), c.await(BOUND))).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> app.setIdMaker("a", 55))
          .isInstanceOf(TaskConfigurationException.class)
          .hasMessageContaining("55");
    }
  }

  @Test
  void uuidV7IdsSortByTheirCreationTime() {
    AtomicInteger millis = new AtomicInteger(1_000);
    IdMaker maker = IdMakers.uuidV7(() -> millis.getAndAdd(5));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(maker.newId("t"));
    }

    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id).variant()).isEqualTo(2));
  }

  @Test
  void perTaskDefaultOptionsApplyToCallsThatPassNone() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      app.register("inc", int.class, int.class, n -> n + 1);
      app.setOption("inc", TaskOptions.builder().monitorProgress(true).build());
      app.allocate("inc", 1, 0);

      Result<@Nullable Object> result = app.call("inc", 1);

      assertThat(Reports.statuses(Reports.of(result, BOUND)))
          .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
      assertThatThrownBy(() -> app.setOption("missing", TaskOptions.DEFAULTS))
          .isInstanceOf(TaskConfigurationException.class);
    }
  }

  @Test
  void allocateCanBeCalledAgainToAddWorkers() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
      app.register(
          "meet",
          int.class,
          int.class,
          n -> {
            both.countDown();
            return both.await(10, java.util.concurrent.TimeUnit.SECONDS) ? n : -1;
          });
      app.allocate("meet", 1, 0);
      app.allocate("meet", 1, 0); // two workers now, so both calls run at once

      Result<@Nullable Object> first = app.call("meet", 1);
      Result<@Nullable Object> second = app.call("meet", 2);

      assertThat(first.await(BOUND)).isEqualTo(1);
      assertThat(second.await(BOUND)).isEqualTo(2);
      assertThat(app.inspection().orElseThrow().workers().getFirst().capacity()).isEqualTo(2);
    }
  }

  /** A producer and a store that each emit an INFO event when used, as in the seed's test. */
  static final class Chatty implements TaskProducer {
    final List<AdapterContext> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void attach(AdapterContext context) {
      contexts.add(context);
    }

    @Override
    public void declare(String queue) {}

    @Override
    public CompletionStage<Void> send(TaskEnvelope task) {
      contexts.forEach(c -> c.emit(EventLevel.INFO, EventCode.GENERIC, "sent", task.key(), null));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> revoke(TaskKey key, Instant until) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }

  /** A store that emits an INFO event when polled. */
  static final class ChattyStore implements ReportStore {
    final List<AdapterContext> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void attach(AdapterContext context) {
      contexts.add(context);
    }

    @Override
    public Subscription poll(TaskKey key, Consumer<byte[]> sink) {
      contexts.forEach(c -> c.emit(EventLevel.INFO, EventCode.GENERIC, "polled", key, null));
      return () -> {};
    }

    @Override
    public void done(TaskKey key) {}

    @Override
    public String claimIdempotencyKey(
        String taskName, String idempotencyKey, String candidateId, Duration ttl) {
      return candidateId;
    }

    @Override
    public void close() {}
  }

  @Test
  void adaptersEmitEventsTaggedWithTheRoleTheyWereAttachedFor() throws Exception {
    try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
      app.use(new Chatty());
      app.use(new ChattyStore());
      List<TaskEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      app.listen(EnumSet.of(EventOrigin.PRODUCER, EventOrigin.STORE), EventLevel.INFO, events::add);

      app.call("anything", 1);

      awaitCondition(() -> events.size() == 2);
      assertThat(events)
          .extracting(TaskEvent::origin)
          .containsExactlyInAnyOrder(EventOrigin.PRODUCER, EventOrigin.STORE);
    }
  }
}
