package dev.baton.workflow;

import dev.baton.workflow.spi.WorkflowJournal;

/** The journal contract against {@link InMemoryWorkflowJournal}. */
class InMemoryWorkflowJournalTest extends WorkflowJournalContract {
  @Override
  WorkflowJournal newJournal() {
    return new InMemoryWorkflowJournal();
  }
}
