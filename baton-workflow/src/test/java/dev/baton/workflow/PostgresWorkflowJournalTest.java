package dev.baton.workflow;

import static dev.baton.testing.TestNode.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testing.TestNode;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The journal contract against {@link PostgresWorkflowJournal} on the local PostgreSQL. */
class PostgresWorkflowJournalTest extends WorkflowJournalContract {
  private @Nullable PostgresSchema schema;

  @Override
  WorkflowJournal newJournal() throws Exception {
    PostgresSchema created = new PostgresSchema("wf_contract");
    schema = created;
    return created.journal();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (schema != null) {
      schema.close();
    }
  }

  private PostgresSchema schema() {
    return java.util.Objects.requireNonNull(schema, "schema");
  }

  /** How many sessions of this test's schema wait for a row lock. */
  private int waitingForALock() {
    try (Connection connection = schema().connect();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE ?")) {
      query.setString(1, "%" + schema().name + ".workflow_attrs%");
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void attributeUpsertThatTheDatabaseRefusesSetsNoneOfItsAttributes() {
    journal.create("w1", "order", new Payload("java.lang.String", "\"in\""));
    Map<String, String> values = new TreeMap<>(Map.of("a", "fine", "b", "NUL\u0000byte"));

    assertThatThrownBy(() -> journal.upsertAttributes("w1", values))
        .isInstanceOf(JournalUnavailableException.class);
    assertThat(journal.attributes("w1")).isEmpty();
    journal.upsertAttributes("w1", Map.of("a", "fine")); // the connection is still usable
    assertThat(journal.attributes("w1")).isEqualTo(Map.of("a", "fine"));
  }

  @Test
  void aStatementWaitingOnTheDatabaseDoesNotHoldUpOtherWorkflowsJournalCalls() throws Exception {
    Payload input = new Payload("java.lang.String", "\"in\"");
    journal.create("w1", "order", input);
    journal.create("w2", "order", input);
    journal.upsertAttributes("w1", Map.of("stage", "one"));
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        Connection blocker = schema().connect()) {
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute(
            "SELECT * FROM "
                + schema().name
                + ".workflow_attrs WHERE workflow_id = 'w1' FOR UPDATE");
      }
      CompletableFuture<Void> blocked =
          CompletableFuture.runAsync(
              () -> journal.upsertAttributes("w1", Map.of("stage", "two")), threads);
      TestNode.awaitCondition("the upsert waits for the row lock", () -> waitingForALock() == 1);

      // another workflow's journal calls go on meanwhile
      assertThat(CompletableFuture.supplyAsync(() -> journal.find("w2"), threads))
          .succeedsWithin(BOUND)
          .satisfies(found -> assertThat(found).isPresent());
      assertThat(blocked).isNotDone();

      blocker.rollback();
      assertThat(blocked).succeedsWithin(BOUND);
    }
    assertThat(journal.attributes("w1")).containsEntry("stage", "two");
  }
}
