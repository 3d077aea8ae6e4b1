package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton inspect}: reads a running node's dashboard HTTP API and prints its processes,
 * queues, workers, recent tasks or dead letters as aligned tables (or the raw JSON).
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a running node is doing, read from its dashboard's HTTP API.",
      "Without a section: the node's counters, then its processes, queues and workers.",
      "Start a node to inspect with `baton demo --serve` or `baton node --config FILE`."
    },
    footer = {
      "",
      "Exit codes: 0 shown, 1 the answer could not be printed, 2 bad option, 3 no",
      "node answers at the URL, 4 the node refused (401: pass --token; other HTTP",
      "errors)."
    })
public final class InspectCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What to show. */
  enum Section {
    PROCESSES,
    QUEUES,
    WORKERS,
    TASKS,
    DEAD_LETTERS;

    /** The name the user types. */
    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  private CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:7070",
      paramLabel = "URL",
      description = "The node's dashboard (default: ${DEFAULT-VALUE}).")
  private String url = "http://127.0.0.1:7070";

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "The dashboard's access token, needed when the node requires one"
              + " (default: the BATON_TOKEN environment variable).")
  private @Nullable String token;

  @Option(names = "--json", description = "Print the API's JSON as it came, indented.")
  private boolean json;

  @Option(
      names = "--limit",
      defaultValue = "200",
      paramLabel = "N",
      description = "At most this many rows per list (default: ${DEFAULT-VALUE}).")
  private int limit = 200;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SECTION",
      description = "One of: processes, queues, workers, tasks, dead-letters.")
  private @Nullable String section;

  /** Created by picocli. */
  public InspectCommand() {}

  /** A refusal or an unreachable node: the message to print and the exit code. */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    Stop(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Section> sections;
    try {
      sections = sections();
    } catch (IllegalArgumentException e) {
      err.println("baton inspect: " + e.getMessage());
      return 2;
    }
    if (limit < 1) {
      err.println("baton inspect: --limit must be at least 1, was " + limit);
      return 2;
    }
    URI base;
    try {
      base = baseUri(url);
    } catch (IllegalArgumentException e) {
      err.println("baton inspect: " + e.getMessage());
      return 2;
    }
    @Nullable String bearer = token != null ? token : System.getenv("BATON_TOKEN");
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
      Api api = new Api(client, base, bearer);
      if (section == null) {
        JsonNode snapshot = api.get("/api/snapshot");
        if (json) {
          out.println(JSON.writeValueAsString(snapshot));
        } else {
          printSnapshot(out, snapshot);
        }
      }
      for (Section each : sections) {
        JsonNode list = api.get(path(each));
        if (json) {
          out.println(JSON.writeValueAsString(list));
        } else {
          if (section == null) {
            out.println();
          }
          printTable(out, each, list);
        }
      }
      return 0;
    } catch (Stop stop) {
      err.println("baton inspect: " + stop.getMessage());
      return stop.exitCode;
    } catch (IOException e) {
      err.println("baton inspect: could not print the node's answer: " + e.getMessage());
      return 1;
    }
  }

  private List<Section> sections() {
    if (section == null) {
      return List.of(Section.PROCESSES, Section.QUEUES, Section.WORKERS);
    }
    for (Section each : Section.values()) {
      if (each.label().equals(section)) {
        return List.of(each);
      }
    }
    throw new IllegalArgumentException(
        "unknown section '"
            + section
            + "'; use one of processes, queues, workers, tasks, dead-letters (or none)");
  }

  private String path(Section section) {
    return switch (section) {
      case PROCESSES -> "/api/processes?limit=" + limit;
      case QUEUES -> "/api/queues";
      case WORKERS -> "/api/workers";
      case TASKS -> "/api/tasks?limit=" + limit;
      case DEAD_LETTERS -> "/api/dead-letters?limit=" + limit;
    };
  }

  /** The dashboard's root: an http(s) URL with a host, without a trailing slash. */
  static URI baseUri(String url) {
    URI uri;
    try {
      uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "--url '" + url + "' is not a URL (" + e.getReason() + "); e.g. http://127.0.0.1:7070",
          e);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--url '" + url + "' must be http://HOST:PORT or https://HOST:PORT");
    }
    return uri;
  }

  /** GETs JSON from the node, turning each way it can fail into a {@link Stop}. */
  private record Api(HttpClient client, URI base, @Nullable String token) {
    JsonNode get(String path) throws Stop, InterruptedException {
      URI uri = URI.create(base + path);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
      if (token != null && !token.isEmpty()) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw new Stop(
            3,
            "no node answers at "
                + base
                + " (connection refused). Start one with `baton demo --serve` or `baton node"
                + " --config FILE`, or pass the URL it prints with --url.");
      } catch (HttpTimeoutException e) {
        throw new Stop(
            3, "the node at " + base + " did not answer within " + TIMEOUT.toSeconds() + " s");
      } catch (IOException e) {
        throw new Stop(3, "could not read " + uri + ": " + e);
      }
      int status = response.statusCode();
      if (status == 401) {
        throw new Stop(
            4,
            token == null
                ? "the node at "
                    + base
                    + " requires a token: pass --token TOKEN or set BATON_TOKEN (the node prints"
                    + " it, or it is dashboard.token in its config)"
                : "the node at " + base + " refused the token (401): check --token or BATON_TOKEN");
      }
      if (status != 200) {
        throw new Stop(
            4, "the node answered " + status + " to GET " + path + ": " + abbreviate(response));
      }
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new Stop(4, "the node's answer to GET " + path + " is not JSON: " + e.getMessage());
      }
    }

    private static String abbreviate(HttpResponse<String> response) {
      String body = response.body().strip();
      return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
  }

  private static void printSnapshot(PrintWriter out, JsonNode s) {
    out.printf(
        Locale.ROOT,
        "node %s, up since %s%n",
        s.path("node").asText("?"),
        s.path("startedAt").asText("?"));
    out.printf(
        Locale.ROOT,
        "commands dispatched %,d%s%n",
        s.path("commandsDispatched").asLong(),
        s.path("commandsByModule").isEmpty() ? "" : " (" + pairs(s.path("commandsByModule")) + ")");
    out.printf(
        Locale.ROOT,
        "processes %s; ready queue %,d; %d scheduler workers%n",
        s.path("processesByState").isEmpty() ? "none" : pairs(s.path("processesByState")),
        s.path("readyQueue").asLong(),
        s.path("schedulerWorkers").asInt());
    JsonNode t = s.path("tasks");
    out.printf(
        Locale.ROOT,
        "tasks sent %,d, succeeded %,d, failed %,d, retried %,d, dead-lettered %,d%n",
        t.path("sent").asLong(),
        t.path("succeeded").asLong(),
        t.path("failed").asLong(),
        t.path("retried").asLong(),
        t.path("deadLettered").asLong());
  }

  /** An object's fields as {@code name count} pairs, the largest count first (ties by name). */
  static String pairs(JsonNode object) {
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(object.properties());
    fields.sort(
        Comparator.comparingLong((Map.Entry<String, JsonNode> field) -> field.getValue().asLong())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : fields) {
      pairs.add(field.getKey() + " " + cell(field.getValue()));
    }
    return String.join(", ", pairs);
  }

  private static void printTable(PrintWriter out, Section section, JsonNode list) {
    List<String> fields =
        switch (section) {
          case PROCESSES -> List.of("pid", "type", "state", "steps");
          case QUEUES -> List.of("queue", "ready", "delayed", "unacked", "deadLetters");
          case WORKERS -> List.of("workerId", "queues", "busy", "capacity", "at");
          case TASKS ->
              List.of("name", "id", "state", "attempt", "millis", "errorCode", "error", "traceId");
          case DEAD_LETTERS -> List.of("id", "queue", "task", "callId", "errorCode", "error", "at");
        };
    Table table = new Table(fields.stream().map(InspectCommand::header).toList());
    for (JsonNode row : list) {
      table.add(fields.stream().map(field -> cell(row.path(field))).toList());
    }
    out.println(section.label() + " (" + table.size() + ")");
    if (table.size() > 0) {
      table.print(out);
    }
  }

  private static String header(String field) {
    return field.replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT);
  }

  private static String cell(JsonNode value) {
    if (value.isMissingNode() || value.isNull()) {
      return "-";
    }
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      value.forEach(item -> items.add(item.asText()));
      return String.join(",", items);
    }
    String text =
        value.isNumber() && value.canConvertToLong() && !value.isTextual()
            ? String.format(Locale.ROOT, "%,d", value.asLong())
            : value.asText();
    text = text.replace('\n', ' ');
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }
}
