package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.node.NodeConfig;
import dev.baton.node.NodeConfigException;
import dev.baton.node.RemoteTasks;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Result;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.time.SystemTimeSource;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton call}: calls a task on a remote cluster (a Redis or RabbitMQ broker and backend) and
 * prints its result as JSON.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = {
      "Call a task on a remote cluster and print its result as JSON on stdout.",
      "A worker must serve the task, e.g. `baton node --config FILE` on the same",
      "broker.",
      "",
      "Examples:",
      "  baton call add '[1, 2]' --broker redis://127.0.0.1:6379",
      "  baton call billing.invoice '[\"ada\", [1250, 399]]' --config node.yaml",
      "  baton call add '[1, 2]' --broker amqp://guest:guest@127.0.0.1:5672/%%2F \\",
      "      --backend redis://127.0.0.1:6379"
    },
    footer = {
      "",
      "Exit codes: 0 printed the result, 1 the task failed (its code and message",
      "on stderr) or gave no outcome in time, 2 bad arguments or options, 3 the",
      "broker or backend cannot be reached."
    })
public final class CallCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new Jdk8Module())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  private CommandSpec spec;

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Parameters(index = "0", paramLabel = "TASK", description = "The task's name, e.g. add.")
  private String task;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "ARGS",
      description = "The arguments as a JSON array, e.g. '[1, 2]' (default: []).")
  private String arguments = "[]";

  @Option(
      names = "--broker",
      paramLabel = "URI",
      description =
          "The broker: redis://HOST:PORT[/DB], rediss://..., amqp://USER:PASS@HOST:PORT/VHOST"
              + " or amqps://... (or from --config).")
  private @Nullable String broker;

  @Option(
      names = "--backend",
      paramLabel = "URI",
      description =
          "Where results come back: redis://... or amqp://... (default: the broker's URI).")
  private @Nullable String backend;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "A node's YAML config: its tasks.broker.uri and tasks.backend.uri (options win).")
  private java.nio.file.@Nullable Path config;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = Durations.class,
      paramLabel = "DURATION",
      description = "How long to wait for the outcome, e.g. 500ms, 30s, 5m (default: 30s).")
  private Duration timeout = Duration.ofSeconds(30);

  @Option(
      names = "--queue",
      paramLabel = "QUEUE",
      description = "Send to this routed queue instead of the task's own.")
  private @Nullable String queue;

  /** Created by picocli. */
  public CallCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    @Nullable Object[] args;
    URI brokerUri;
    URI backendUri;
    try {
      args = parseArguments(arguments);
      Endpoints endpoints = endpoints();
      brokerUri = endpoints.broker();
      backendUri = endpoints.backend();
    } catch (IllegalArgumentException | NodeConfigException e) {
      err.println("baton call: " + e.getMessage());
      return 2;
    }
    try (SystemTimeSource time = new SystemTimeSource()) {
      AutoCloseable brokerAdapter;
      try {
        brokerAdapter = RemoteTasks.connectBroker(brokerUri, time);
      } catch (IllegalArgumentException e) {
        err.println(
            "baton call: --broker " + RemoteTasks.redact(brokerUri) + ": " + e.getMessage());
        return 2;
      } catch (RuntimeException e) {
        err.println(unreachable("broker", brokerUri, e));
        return 3;
      }
      try (brokerAdapter) {
        AutoCloseable backendAdapter;
        try {
          backendAdapter = RemoteTasks.connectBackend(backendUri, time);
        } catch (IllegalArgumentException e) {
          err.println(
              "baton call: --backend " + RemoteTasks.redact(backendUri) + ": " + e.getMessage());
          return 2;
        } catch (RuntimeException e) {
          err.println(unreachable("backend", backendUri, e));
          return 3;
        }
        try (backendAdapter;
            TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
          app.use(brokerAdapter);
          app.use(backendAdapter);
          return callAndPrint(app, args, brokerUri, out, err);
        }
      }
    } catch (JsonProcessingException e) {
      err.println("baton call: the result cannot be written as JSON: " + e.getOriginalMessage());
      return 1;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      err.println("baton call: " + e);
      return 1;
    }
  }

  private int callAndPrint(
      TaskApp app, @Nullable Object[] args, URI brokerUri, PrintWriter out, PrintWriter err)
      throws InterruptedException, JsonProcessingException {
    TaskOptions.Builder options = TaskOptions.builder().timeout(timeout);
    if (queue != null) {
      options.queue(queue);
    }
    Result<@Nullable Object> result = app.call(task, Object.class, options.build(), args);
    try {
      @Nullable Object value = result.await(timeout.plusSeconds(1));
      out.println(JSON.writeValueAsString(value));
      return 0;
    } catch (TaskFailedException e) {
      TaskError error = e.error();
      err.println(
          "baton call: "
              + task
              + " failed: ["
              + error.code()
              + "] "
              + error.message()
              + (error.code() == ErrorCode.TIMEOUT
                  ? "; is a worker serving it on " + RemoteTasks.redact(brokerUri) + "?"
                  : ""));
      return 1;
    } catch (TimeoutException e) {
      err.println(
          "baton call: no outcome for "
              + task
              + " within "
              + timeout.toString().substring(2).toLowerCase(Locale.ROOT)
              + "; is a worker serving it on "
              + RemoteTasks.redact(brokerUri)
              + "? (start one with `baton node --config FILE`)");
      return 1;
    }
  }

  /** The broker and backend URIs to use. */
  private record Endpoints(URI broker, URI backend) {}

  private Endpoints endpoints() {
    @Nullable String brokerText = broker;
    @Nullable String backendText = backend;
    if (config != null) {
      NodeConfig.TasksConfig fromFile = NodeConfig.load(config).tasks();
      if (brokerText == null && fromFile.broker() != null) {
        brokerText = String.valueOf(fromFile.broker());
      }
      if (backendText == null && fromFile.backend() != null) {
        backendText = String.valueOf(fromFile.backend());
      }
    }
    if (brokerText == null) {
      throw new IllegalArgumentException(
          "no broker: pass --broker URI (e.g. redis://127.0.0.1:6379) or --config FILE with"
              + " tasks.broker.uri");
    }
    URI brokerUri = uri("--broker", brokerText);
    URI backendUri = backendText == null ? brokerUri : uri("--backend", backendText);
    return new Endpoints(brokerUri, backendUri);
  }

  private static URI uri(String option, String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (scheme == null
          || !List.of("redis", "rediss", "amqp", "amqps")
              .contains(scheme.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            option + " '" + text + "' must start with redis://, rediss://, amqp:// or amqps://");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is not a URI: " + e.getReason(), e);
    }
  }

  /**
   * The JSON array's elements as Java values (numbers, strings, booleans, null, lists, maps).
   *
   * @throws IllegalArgumentException if the text is not JSON, or not an array
   */
  static @Nullable Object[] parseArguments(String text) {
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "ARGS is not valid JSON ("
              + jsonProblem(e)
              + "); write the arguments as a JSON array, e.g. '[1, \"two\"]'",
          e);
    }
    if (tree == null || !tree.isArray()) {
      throw new IllegalArgumentException(
          "ARGS must be a JSON array of the task's arguments, e.g. '[1, 2]' (was "
              + (tree == null ? "empty" : tree.getNodeType().name().toLowerCase(Locale.ROOT))
              + "); a single argument is '[42]'");
    }
    List<@Nullable Object> values = new ArrayList<>();
    for (JsonNode element : tree) {
      values.add(JSON.convertValue(element, Object.class));
    }
    return values.toArray();
  }

  /**
   * Jackson's account of a parse error without the source locations it embeds ({@code [Source:
   * REDACTED ...]}), which tell a user nothing; the column where it went wrong instead.
   */
  static String jsonProblem(JsonProcessingException e) {
    String problem =
        String.valueOf(e.getOriginalMessage())
            .replaceAll("\\s*\\((?:start marker at )?\\[Source: [^]]*\\]\\)", "")
            .strip();
    return e.getLocation() == null
        ? problem
        : problem + ", at column " + e.getLocation().getColumnNr();
  }

  private static String unreachable(String role, URI uri, RuntimeException e) {
    return "baton call: cannot reach the "
        + role
        + " at "
        + RemoteTasks.redact(uri)
        + ": "
        + String.valueOf(e.getMessage()).replaceAll("[.\\s]+$", "")
        + ". Is the server running? Check the URI (--"
        + role
        + ").";
  }
}
