/**
 * The workflow command module (ids 180-189): durable processes whose yields and results are
 * journaled, replayed deterministically after a crash.
 *
 * <ul>
 *   <li>API — {@code dev.baton.workflow}: {@link dev.baton.workflow.WorkflowModule} (the engine),
 *       {@link dev.baton.workflow.Workflow} and {@link dev.baton.workflow.WorkflowScope} (what
 *       workflow code is and sees), the {@link dev.baton.workflow.Workflows} commands, the journals
 *       ({@link dev.baton.workflow.InMemoryWorkflowJournal}, {@link
 *       dev.baton.workflow.PostgresWorkflowJournal}) and the typed errors;
 *   <li>SPI — {@code dev.baton.workflow.spi}: {@link dev.baton.workflow.spi.WorkflowJournal}, what
 *       a journal store implements, and its records.
 * </ul>
 *
 * <p>Values journaled as JSON are read and written by Jackson: records and classes that travel
 * (workflow inputs and results, command results) must be in packages exported or opened to {@code
 * com.fasterxml.jackson.databind}.
 */
@SuppressWarnings("requires-automatic") // the PostgreSQL driver has no module-info
module dev.baton.workflow {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires java.sql;
  requires org.postgresql.jdbc;

  exports dev.baton.workflow;
  exports dev.baton.workflow.spi;
}
