package dev.baton.workflow;

import dev.baton.workflow.spi.WorkflowJournal;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

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
}
