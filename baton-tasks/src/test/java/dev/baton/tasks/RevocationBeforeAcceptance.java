package dev.baton.tasks;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.time.TimeSource;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** A call revoked while its broker has not yet accepted it: PENDING -> REVOKED. */
final class RevocationBeforeAcceptance {

  private RevocationBeforeAcceptance() {}

  /** A producer that never confirms, so calls stay PENDING until revoked. */
  static final class UnconfirmingProducer implements TaskProducer {
    @Override
    public void declare(String queue) {}

    @Override
    public CompletionStage<Void> send(TaskEnvelope task) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Void> revoke(TaskKey key, Instant until) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }

  static Result<@Nullable Object> call(TimeSource time) {
    InMemoryBackend backend = new InMemoryBackend(time);
    try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
      app.use(new UnconfirmingProducer());
      app.use(backend);
      Result<@Nullable Object> result = app.call("anything", 1);
      result.cancel();
      return result;
    } finally {
      backend.close();
    }
  }
}
