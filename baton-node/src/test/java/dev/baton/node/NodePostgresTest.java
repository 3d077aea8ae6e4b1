package dev.baton.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.sql.Rows;
import dev.baton.sql.Sql;
import dev.baton.workflow.Workflows;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node configured in YAML with PostgreSQL for an sql database and the workflow journal
 * (BATON_POSTGRES_URL; loopback by default): the configuration reaches the components, and a
 * workflow's journal lands in the configured schema.
 */
class NodePostgresTest {

  static String url() {
    String configured = System.getenv("BATON_POSTGRES_URL");
    return configured != null ? configured : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  }

  @Test
  void aYamlConfiguredNode_usesPostgresForSqlAndTheWorkflowJournal() throws Exception {
    String schema = "node_wf_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String yaml =
        """
        name: pg-node
        dashboard: {enabled: false}
        modules:
          disabled: [websocket, eval, cloudstorage]
          sql:
            databases:
              pg: {url: "${PG_URL}", poolSize: 2}
          workflow:
            journal: postgres
            url: "${PG_URL}"
            schema: %s
        """
            .formatted(schema);
    NodeConfig config =
        NodeConfig.parse(yaml, "pg.yaml", name -> name.equals("PG_URL") ? url() : null);
    NodeExtension greet =
        new NodeExtension() {
          @Override
          public String name() {
            return "greet";
          }

          @Override
          public void extend(ExtensionContext context) {
            context.workflow(
                "greet",
                (scope, input) ->
                    scope.sideEffect("greeting", String.class, () -> "hello, " + input));
          }
        };
    try (Node node = Node.start(config, List.of(greet))) {
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();
      node.scheduler()
          .spawnCoroutine(
              (p, input) -> {
                try {
                  List<Object> results = new ArrayList<>();
                  Rows rows = p.call(Sql.Query.on("pg", "SELECT current_database()"));
                  results.add(rows.rows().getFirst().getFirst());
                  results.add(p.call(new Workflows.Call<>("greet", "g-1", "Ada", String.class)));
                  seen.complete(results);
                } catch (Throwable e) {
                  seen.completeExceptionally(e);
                }
                return null;
              });
      assertThat(seen.get(30, TimeUnit.SECONDS)).containsExactly("test", "hello, Ada");
    } finally {
      try (Connection connection = DriverManager.getConnection(url());
          Statement statement = connection.createStatement()) {
        try (ResultSet tables =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + schema
                    + "'")) {
          tables.next();
          assertThat(tables.getInt(1)).as("journal tables in " + schema).isPositive();
        }
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }
}
