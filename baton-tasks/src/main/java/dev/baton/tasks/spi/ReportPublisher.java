package dev.baton.tasks.spi;

import dev.baton.tasks.TaskKey;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** Stores workers' reports in a backend (the seed's Reporter). Thread-safe. */
public interface ReportPublisher extends TaskAdapter {

  /**
   * The seed's BeforeReport hook: called once per call before its first report is published, so a
   * backend can prepare (declare a queue, say) whichever of caller and worker comes first.
   */
  default void beforeReport(TaskKey key) {}

  /**
   * Stores a report. The stage completes when the backend holds it durably; only then does the
   * worker publish the next report of the same call (so reports of one call are stored in order) or
   * acknowledge the task (after the final report). The backend keeps the final report until {@link
   * ReportEnvelope#expiresAt()}.
   *
   * @param replyTo the task's {@link TaskEnvelope#replyTo()}: the caller's {@link
   *     ReportStore#replyAddress()}, for backends that route reports to the caller that waits for
   *     them; {@code null} when the caller's store keeps reports under their key (backends that do
   *     so ignore it)
   */
  CompletionStage<Void> publish(ReportEnvelope report, @Nullable String replyTo);
}
