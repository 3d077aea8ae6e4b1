package dev.baton.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The durability test: a child JVM runs the "order" workflow of {@link KillNode} on a PostgreSQL
 * journal and halts right after a chosen entry is journaled; a second child JVM on the same journal
 * resumes it. The workflow must complete with the result of an uninterrupted run, and each
 * journaled side effect (counted in a table by the effect itself) must have run exactly once.
 */
class WorkflowKillTest {
  private static final String EXPECTED =
      "reserved-order-42|shipped-order-42|charged-order-42|v1|id36";

  private static @Nullable PostgresSchema created;

  private static PostgresSchema schema() {
    return Objects.requireNonNull(created, "the schema");
  }

  @BeforeAll
  static void createSchema() throws Exception {
    created = new PostgresSchema("wf_kill");
    schema().execute("CREATE TABLE " + schema().name + ".effects (workflow_id text, name text)");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (created != null) {
      created.close();
    }
  }

  /** A child JVM's exit code and output lines. */
  private record Node(int exit, List<String> lines) {}

  /** Runs a child JVM to its end (bounded) and returns how it ended and what it printed. */
  private static Node runNode(String workflowId, String haltId, int haltSeq) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> path = new ArrayList<>();
    path.add(System.getProperty("user.dir") + "/target/test-classes");
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        path.add(value);
      }
    }
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                String.join(File.pathSeparator, path),
                KillNode.class.getName(),
                PostgresSchema.URL,
                schema().name,
                workflowId,
                haltId,
                Integer.toString(haltSeq))
            .redirectErrorStream(true)
            .start();
    try {
      List<String> lines = new ArrayList<>();
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(process.getInputStream(), UTF_8))) {
                      String line;
                      while ((line = in.readLine()) != null) {
                        synchronized (lines) {
                          lines.add(line);
                        }
                      }
                    } catch (IOException e) {
                      // the process ended
                    }
                  });
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the node JVM did not end within 60 s: " + lines);
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
      synchronized (lines) {
        return new Node(process.exitValue(), List.copyOf(lines));
      }
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  private static String resultOf(List<String> lines) {
    return lines.stream()
        .filter(line -> line.startsWith("result="))
        .map(line -> line.substring("result=".length()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the node printed no result: " + lines));
  }

  /** How many times each side effect of {@code workflowId} (and its child) ran. */
  private static Map<String, Integer> effectRuns(String workflowId) throws Exception {
    Map<String, Integer> runs = new TreeMap<>();
    try (Connection connection = schema().connect();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT name, count(*) FROM "
                    + schema().name
                    + ".effects WHERE workflow_id = ? OR workflow_id = ? GROUP BY name")) {
      query.setString(1, workflowId);
      query.setString(2, workflowId + "/1");
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return runs;
  }

  @ParameterizedTest(name = "halt after entry {1} of {0}, resume by {2}")
  @CsvSource({
    "'', 0, boot", // after step 1 (reserve) is journaled
    "'', 1, start", // after the child workflow's Call is journaled
    "'/1', 0, boot", // after the child's own step is journaled, before the parent journals the Call
    "'', 3, start", // after the attributes are journaled
    "'', 5, boot", // after the last entry, just before the workflow completes
  })
  void workflowKilledAfterAJournaledStepCompletesAfterRestartWithEachEffectRunOnce(
      String haltSuffix, int haltSeq, String resumeBy) throws Exception {
    String id = "order" + haltSeq + haltSuffix.replace('/', 'c');
    Node killed = runNode(id, id + haltSuffix, haltSeq);
    assertThat(killed.lines()).contains("halting after " + id + haltSuffix + " entry " + haltSeq);
    assertThat(killed.lines()).noneMatch(line -> line.startsWith("result="));
    assertThat(killed.exit()).as("halted by Runtime.halt(137)").isEqualTo(137);

    // "boot": the second node is not asked to start the workflow; only its own resumption of the
    // unfinished workflows can finish it. "start": it also calls start, which attaches to the run.
    Node resumed = runNode(id, "", resumeBy.equals("boot") ? KillNode.RESUME_ONLY : -1);

    assertThat(resumed.exit()).isZero();
    assertThat(resultOf(resumed.lines())).isEqualTo(EXPECTED);
    assertThat(effectRuns(id)).isEqualTo(Map.of("reserve", 1, "ship", 1, "charge", 1));
    try (PostgresWorkflowJournal journal = schema().journal()) {
      assertThat(journal.unfinished()).isEmpty();
      assertThat(journal.findByAttribute("stage", "charging")).contains(id);
    }
  }

  @ParameterizedTest(name = "uninterrupted run")
  @CsvSource({"uninterrupted"})
  void uninterruptedRunGivesTheSameResult(String id) throws Exception {
    Node node = runNode(id, "", -1);
    assertThat(resultOf(node.lines())).isEqualTo(EXPECTED);
    assertThat(node.exit()).isZero();
    assertThat(effectRuns(id)).isEqualTo(Map.of("reserve", 1, "ship", 1, "charge", 1));
  }
}
