package dev.baton.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.testing.TestNode;
import dev.baton.workflow.Workflows.Version;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import dev.baton.workflow.spi.WorkflowStatus;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The node {@link WorkflowKillTest} runs in a child JVM: a PostgreSQL journal, the "order" workflow
 * (with a "shipment" child), and, when asked, a journal decorator that halts the JVM right after a
 * chosen entry is journaled.
 *
 * <p>Arguments: jdbc url, schema, workflow id, the workflow id and seq to halt after (seq -1:
 * never, and start the workflow; seq -2: never, and only wait for the node's own resumption, as it
 * boots, to finish the workflow). Prints {@code result=...} when the workflow completes.
 */
public final class KillNode {
  private static final PrintStream OUT = new PrintStream(System.out, true, UTF_8);

  /** The halt seq that means: do not start the workflow, wait for the boot's resumption. */
  static final int RESUME_ONLY = -2;

  private KillNode() {}

  /** Runs one node until the workflow completes (or the halt). */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    String schema = args[1];
    String workflowId = args[2];
    String haltId = args[3];
    int haltSeq = Integer.parseInt(args[4]);
    PostgresWorkflowJournal store = PostgresWorkflowJournal.open(url, "postgres", null, schema);
    // Halts the JVM (no shutdown hooks, no cleanup) right after the chosen entry is journaled.
    WorkflowJournal journal =
        haltSeq < 0
            ? store
            : new CrashingJournal(
                store,
                haltId,
                haltSeq,
                () -> {
                  OUT.println("halting after " + haltId + " entry " + haltSeq);
                  Runtime.getRuntime().halt(137);
                });
    WorkflowModule module =
        WorkflowModule.builder()
            .journal(journal)
            .register(
                "order",
                (scope, input) -> order(url, schema, scope, (String) Objects.requireNonNull(input)))
            .register(
                "shipment",
                (scope, input) -> {
                  String id = scope.workflowId();
                  return scope.sideEffect(
                      "ship",
                      String.class,
                      () -> effect(url, schema, id, "ship", "shipped-" + input));
                })
            .build();
    try (TestNode node = TestNode.builder().dispatcher(module).build()) {
      OUT.println("ready on " + node.scheduler().parallelism() + " workers");
      Object result;
      if (haltSeq == RESUME_ONLY) {
        // No start call: the workflow finishes only if the node resumed it as it booted.
        TestNode.awaitCondition(
            "workflow " + workflowId + " finished by the node's resumption",
            () -> module.describe(workflowId).orElseThrow().status() != WorkflowStatus.RUNNING);
        WorkflowRecord record = module.describe(workflowId).orElseThrow();
        result = new JsonCodec().decode(Objects.requireNonNull(record.result()), String.class);
      } else {
        result = module.start("order", workflowId, "order-42").get(60, TimeUnit.SECONDS);
      }
      OUT.println("result=" + result);
    } finally {
      store.close();
    }
  }

  /** Five journaled steps and a child: each side effect also counts itself in the effects table. */
  private static String order(String url, String schema, WorkflowScope scope, String input) {
    String id = scope.workflowId();
    String reserved =
        scope.sideEffect(
            "reserve", String.class, () -> effect(url, schema, id, "reserve", "reserved-" + input));
    String shipped = scope.callChild("shipment", input, String.class);
    int fee = scope.version("fee", Version.DEFAULT_VERSION, 1);
    scope.upsertAttributes(Map.of("order", input, "stage", "charging"));
    String charged =
        scope.sideEffect(
            "charge", String.class, () -> effect(url, schema, id, "charge", "charged-" + input));
    String uuid = scope.newId();
    return String.join("|", reserved, shipped, charged, "v" + fee, "id" + uuid.length());
  }

  /** Records one execution of {@code name} for {@code workflowId}, and returns {@code value}. */
  private static String effect(
      String url, String schema, String workflowId, String name, String value) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", null);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO " + schema + ".effects (workflow_id, name) VALUES (?, ?)")) {
      insert.setString(1, workflowId);
      insert.setString(2, name);
      insert.executeUpdate();
    }
    return value;
  }
}
