package dev.baton.dashboard;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.process.Pid;
import dev.baton.tasks.spi.DeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard's HTTP API against a real node (scheduler, echo module, local task app with a task
 * that ends dead-lettered), over real HTTP on an ephemeral loopback port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardHttpTest {
  private static final String TOKEN = "s3cret-token-for-tests-0123";

  private final HttpClient http = HttpClient.newHttpClient();
  private LiveNode node;
  private Dashboard dashboard;
  private String base;

  @BeforeAll
  void start() {
    node = new LiveNode();
    node.startWork();
    dashboard =
        Dashboard.start(
            DashboardSettings.builder().port(0).sampleInterval(Duration.ofMillis(100)).build(),
            node.view());
    base = "http://127.0.0.1:" + dashboard.address().getPort();
  }

  @AfterAll
  void stop() {
    dashboard.close();
    node.close();
    http.close();
  }

  // ---- helpers ----

  private HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return Json.mapper().readTree(response.body());
  }

  private String csrf() throws IOException, InterruptedException {
    return json(get("/api/session")).get("csrf").asText();
  }

  private HttpResponse<String> action(String path) throws IOException, InterruptedException {
    return post(path, RequestGuard.CSRF_HEADER, csrf(), "Origin", base);
  }

  // ---- the page ----

  @Test
  void page_isServedFromTheJar_withSecurityHeaders_andTheCsrfTokenEmbedded() throws Exception {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .startsWith("default-src 'self'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.body())
        .contains("<canvas id=\"throughput-chart\"")
        .contains("content=\"" + csrf() + "\"")
        .doesNotContain("{{csrf}}")
        .doesNotContain("http://", "https://");
    assertThat(get("/app.js").body()).contains("new EventSource('/api/events')");
    assertThat(get("/style.css").headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
  }

  // ---- reads ----

  @Test
  void session_namesTheNode_andGivesA32ByteBase64UrlCsrfToken() throws Exception {
    HttpResponse<String> response = get("/api/session");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonNode session = json(response);
    assertThat(session.get("node").asText()).isEqualTo(LiveNode.NODE_NAME);
    assertThat(session.get("csrf").asText()).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void snapshot_showsTheNodesCounters_withIsoInstants() throws Exception {
    awaitCondition(
        "commands and finished tasks",
        () -> {
          JsonNode s = snapshot();
          return s.get("commandsDispatched").asLong() > 0
              && s.get("tasks").get("succeeded").asLong() > 0;
        });

    JsonNode snapshot = snapshot();
    assertThat(snapshot.get("node").asText()).isEqualTo(LiveNode.NODE_NAME);
    assertThat(Instant.parse(snapshot.get("at").asText())).isBeforeOrEqualTo(Instant.now());
    assertThat(snapshot.get("commandsByModule").get("echo").asLong()).isPositive();
    assertThat(snapshot.get("schedulerWorkers").asInt()).isEqualTo(node.scheduler().parallelism());
    assertThat(snapshot.get("tasks").get("sent").asLong()).isPositive();
  }

  private JsonNode snapshot() {
    return read("/api/snapshot");
  }

  /** GET {@code path} as JSON, for conditions awaited (which cannot throw checked exceptions). */
  private JsonNode read(String path) {
    try {
      return json(get(path));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void processes_listsLiveProcessesLowestPidFirst_andHonoursTheLimit() throws Exception {
    Pid first = node.spawnIdle();
    Pid second = node.spawnIdle();

    JsonNode all = json(get("/api/processes?limit=1000"));
    List<Long> ids = new ArrayList<>();
    all.forEach(p -> ids.add(p.get("id").asLong()));
    assertThat(ids).contains(first.id(), second.id()).isSorted();
    JsonNode row = findById(all, first.id());
    assertThat(row.get("pid").asText()).isEqualTo("<" + first.id() + ">");
    assertThat(row.get("state").asText()).isIn("IDLE", "BLOCKED", "RUNNABLE", "RUNNING");
    assertThat(row.get("type").asText()).isNotBlank();

    assertThat(json(get("/api/processes?limit=1"))).hasSize(1);
    node.scheduler().terminate(first, "test done");
    node.scheduler().terminate(second, "test done");
  }

  private static JsonNode findById(JsonNode rows, long id) {
    for (JsonNode row : rows) {
      if (row.get("id").asLong() == id) {
        return row;
      }
    }
    throw new AssertionError("no row with id " + id + " in " + rows);
  }

  @Test
  void tasks_listRecentCallsNewestFirst_withStateAttemptLatencyAndTraceId() throws Exception {
    awaitCondition("a succeeded task", () -> taskRows().toString().contains("SUCCEEDED"));

    JsonNode rows = json(get("/api/tasks?limit=5"));
    assertThat(rows.size()).isBetween(1, 5);
    JsonNode succeeded = null;
    for (JsonNode row : json(get("/api/tasks"))) {
      if (row.get("state").asText().equals("SUCCEEDED")) {
        succeeded = row;
        break;
      }
    }
    if (succeeded == null) {
      throw new AssertionError("no SUCCEEDED row in " + json(get("/api/tasks")));
    }
    assertThat(succeeded.get("name").asText()).isEqualTo(LiveNode.OK_TASK);
    assertThat(succeeded.get("attempt").asInt()).isEqualTo(1);
    assertThat(succeeded.get("traceId").asText()).matches("[0-9a-f]{32}");
    assertThat(succeeded.get("millis").asLong()).isNotNegative();
    List<Instant> times = new ArrayList<>();
    rows.forEach(r -> times.add(Instant.parse(r.get("at").asText())));
    assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
  }

  private JsonNode taskRows() {
    return read("/api/tasks");
  }

  @Test
  void queuesAndWorkers_comeFromTheTaskAppsInspection() throws Exception {
    awaitCondition(
        "a worker heartbeat", () -> !node.tasks().inspection().orElseThrow().workers().isEmpty());
    JsonNode queues = json(get("/api/queues"));
    List<String> names = new ArrayList<>();
    queues.forEach(q -> names.add(q.get("queue").asText()));
    assertThat(names)
        .containsAll(
            node.tasks().inspection().orElseThrow().queues().stream().map(q -> q.queue()).toList());
    assertThat(queues.get(0).has("ready")).isTrue();
    assertThat(queues.get(0).has("deadLetters")).isTrue();

    JsonNode workers = json(get("/api/workers"));
    assertThat(workers.size()).isPositive();
    assertThat(workers.get(0).get("capacity").asInt()).isPositive();
    assertThat(Instant.parse(workers.get(0).get("at").asText())).isBeforeOrEqualTo(Instant.now());
  }

  @Test
  void deadLetters_listTheBrokenCall_withItsError() throws Exception {
    DeadLetter letter = node.deadLetterOne("for the list");

    JsonNode row = findLetter(json(get("/api/dead-letters?limit=1000")), letter.id());
    assertThat(row.get("task").asText()).isEqualTo(LiveNode.BROKEN_TASK);
    assertThat(row.get("callId").asText())
        .isEqualTo(java.util.Objects.requireNonNull(letter.key()).id());
    assertThat(row.get("errorCode").asText()).isEqualTo(letter.error().code().name());
    assertThat(row.get("error").asText()).contains("broken on purpose: for the list");
    assertThat(row.get("queue").asText()).isEqualTo(letter.queue());
    assertThat(row.has("bytes")).isTrue();
  }

  private static JsonNode findLetter(JsonNode rows, String id) {
    for (JsonNode row : rows) {
      if (row.get("id").asText().equals(id)) {
        return row;
      }
    }
    throw new AssertionError("no dead letter " + id + " in " + rows);
  }

  private boolean listsLetter(String id) {
    for (JsonNode row : read("/api/dead-letters?limit=1000")) {
      if (row.get("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  // ---- actions ----

  @Test
  void retry_putsTheDeadLetterBack_andTheTaskRunsAgain() throws Exception {
    DeadLetter letter = node.deadLetterOne("for retry");
    int runsBefore = node.brokenRuns.get();

    HttpResponse<String> response = action("/api/dead-letters/" + letter.id() + "/retry");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("retried").asBoolean()).isTrue();
    assertThat(listsLetter(letter.id())).isFalse();
    // It runs again (and, broken as it is, fails both attempts and is dead-lettered anew).
    awaitCondition("the retried task to run again", () -> node.brokenRuns.get() >= runsBefore + 2);
    assertThat(
            json(action("/api/dead-letters/" + letter.id() + "/retry")).get("retried").asBoolean())
        .isFalse();
  }

  @Test
  void terminate_endsTheProcess_andAnswersFalseForOneGone() throws Exception {
    Pid pid = node.spawnIdle();

    HttpResponse<String> response = action("/api/processes/" + pid.id() + "/terminate");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("terminated").asBoolean()).isTrue();
    awaitCondition("the process to end", () -> !node.scheduler().isAlive(pid));
    assertThat(
            json(action("/api/processes/" + pid.id() + "/terminate")).get("terminated").asBoolean())
        .isFalse();
  }

  @Test
  void terminate_withANonNumericId_is400() throws Exception {
    HttpResponse<String> response = action("/api/processes/abc/terminate");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).contains("process id");
  }

  @Test
  void post_withoutCsrf_orWithAWrongOne_is403_andDoesNothing() throws Exception {
    Pid pid = node.spawnIdle();
    String path = "/api/processes/" + pid.id() + "/terminate";

    HttpResponse<String> none = post(path);
    HttpResponse<String> wrong = post(path, RequestGuard.CSRF_HEADER, "not-the-token");

    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(json(none).get("error").asText()).contains("X-Baton-CSRF");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(node.scheduler().isAlive(pid)).isTrue();
    node.scheduler().terminate(pid, "test done");
  }

  @Test
  void post_fromAnotherOrigin_is403_evenWithTheCsrfToken() throws Exception {
    Pid pid = node.spawnIdle();

    HttpResponse<String> response =
        post(
            "/api/processes/" + pid.id() + "/terminate",
            RequestGuard.CSRF_HEADER,
            csrf(),
            "Origin",
            "http://evil.example");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(json(response).get("error").asText()).contains("Origin");
    assertThat(node.scheduler().isAlive(pid)).isTrue();
    node.scheduler().terminate(pid, "test done");
  }

  @Test
  void post_fromItsOwnHostOverHttps_isAccepted_asBehindAProxyThatEndsTls() throws Exception {
    Pid pid = node.spawnIdle();
    String host = "127.0.0.1:" + dashboard.address().getPort();

    HttpResponse<String> response =
        post(
            "/api/processes/" + pid.id() + "/terminate",
            RequestGuard.CSRF_HEADER,
            csrf(),
            "Origin",
            "https://" + host);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("terminated").asBoolean()).isTrue();
  }

  @Test
  void aHostHeaderNamingAnotherSite_is403_againstDnsRebinding() throws Exception {
    assertThat(rawStatus("evil.example:" + dashboard.address().getPort())).isEqualTo(403);
    assertThat(rawStatus("127.0.0.1:" + (dashboard.address().getPort() + 1))).isEqualTo(403);
    assertThat(rawStatus("localhost:" + dashboard.address().getPort())).isEqualTo(200);
    assertThat(rawStatus("[::1]:" + dashboard.address().getPort())).isEqualTo(200);
  }

  /** ::1 */
  private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

  @Test
  void boundToIpv6Loopback_itAnswersAtItsBracketedAddress_andActsForItsOwnOrigin()
      throws Exception {
    try (Dashboard six =
        Dashboard.start(
            DashboardSettings.builder()
                .bindAddress(InetAddress.getByAddress(IPV6_LOOPBACK))
                .port(0)
                .build(),
            node.view())) {
      String url = "http://[::1]:" + six.address().getPort();
      HttpResponse<String> session = send(url, "/api/session");
      assertThat(session.statusCode()).isEqualTo(200);
      String csrf = json(session).get("csrf").asText();
      Pid pid = node.spawnIdle();
      String terminate = "/api/processes/" + pid.id() + "/terminate";

      HttpResponse<String> foreign =
          postTo(url + terminate, RequestGuard.CSRF_HEADER, csrf, "Origin", "http://[::2]:1");
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(node.scheduler().isAlive(pid)).isTrue();

      HttpResponse<String> own =
          postTo(url + terminate, RequestGuard.CSRF_HEADER, csrf, "Origin", url);
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(json(own).get("terminated").asBoolean()).isTrue();
    }
  }

  private HttpResponse<String> postTo(String url, String... headers)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.noBody())
            .headers(headers)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of GET /api/session sent with {@code host} (HttpClient will not set Host). */
  private int rawStatus(String host) throws IOException {
    try (Socket socket =
        new Socket(InetAddress.getLoopbackAddress(), dashboard.address().getPort())) {
      socket.setSoTimeout((int) dev.baton.testing.TestNode.BOUND.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/session HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  // ---- errors ----

  @Test
  void unknownPath_is404Json() throws Exception {
    HttpResponse<String> response = get("/api/nothing-here");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).contains("/api/nothing-here");
  }

  @Test
  void wrongMethod_is405_withAllow() throws Exception {
    HttpResponse<String> postToRead = post("/api/snapshot");
    HttpResponse<String> getAnAction = get("/api/processes/1/terminate");

    assertThat(postToRead.statusCode()).isEqualTo(405);
    assertThat(postToRead.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(getAnAction.statusCode()).isEqualTo(405);
    assertThat(getAnAction.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void head_answersEveryReadWithItsHeadersAndNoBody_andAnActionWith405() throws Exception {
    for (String path : List.of("/", "/app.js", "/api/snapshot", "/api/tasks", "/metrics")) {
      HttpResponse<String> full = get(path);
      HttpResponse<String> head = head(path);
      assertThat(head.statusCode()).as("HEAD %s", path).isEqualTo(200);
      assertThat(head.body()).as("HEAD %s", path).isEmpty();
      assertThat(head.headers().firstValue("Content-Type"))
          .as("HEAD %s", path)
          .isEqualTo(full.headers().firstValue("Content-Type"));
      assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow())
          .as("HEAD %s", path)
          .isPositive();
    }
    HttpResponse<String> events = head("/api/events");
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(events.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");
    assertThat(events.body()).isEmpty();

    HttpResponse<String> action = head("/api/processes/1/terminate");
    assertThat(action.statusCode()).isEqualTo(405);
    assertThat(action.headers().firstValue("Allow")).hasValue("POST");
  }

  private HttpResponse<String> head(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .HEAD()
            .timeout(dev.baton.testing.TestNode.BOUND)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestAnotherSitesPageMade_is403_butALinkToThePageOpensIt() throws Exception {
    Pid pid = node.spawnIdle();
    for (String site : List.of("cross-site", "same-site")) {
      HttpResponse<String> read =
          get("/api/processes", "Sec-Fetch-Site", site, "Sec-Fetch-Mode", "no-cors");
      HttpResponse<String> stream =
          get("/api/events", "Sec-Fetch-Site", site, "Sec-Fetch-Mode", "no-cors");
      HttpResponse<String> terminate =
          post(
              "/api/processes/" + pid.id() + "/terminate",
              RequestGuard.CSRF_HEADER,
              csrf(),
              "Sec-Fetch-Site",
              site,
              "Sec-Fetch-Mode",
              "no-cors");
      assertThat(read.statusCode()).as(site).isEqualTo(403);
      assertThat(json(read).get("error").asText()).contains("another site");
      assertThat(stream.statusCode()).as(site).isEqualTo(403);
      assertThat(terminate.statusCode()).as(site).isEqualTo(403);
      HttpResponse<String> link = get("/", "Sec-Fetch-Site", site, "Sec-Fetch-Mode", "navigate");
      assertThat(link.statusCode()).as(site).isEqualTo(200);
    }
    assertThat(node.scheduler().isAlive(pid)).isTrue();
    assertThat(get("/api/processes", "Sec-Fetch-Site", "same-origin").statusCode()).isEqualTo(200);
    assertThat(get("/", "Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate").statusCode())
        .isEqualTo(200);
    node.scheduler().terminate(pid, "test done");
  }

  @Test
  void aNodeViewThatThrowsOrErrs_gives500WithItsMessage_andLiveUpdatesResumeWhenItWorksAgain()
      throws Exception {
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    FlakyView flaky = new FlakyView(node.view(), broken);
    try (Dashboard own =
        Dashboard.start(
            DashboardSettings.builder().port(0).sampleInterval(Duration.ofMillis(50)).build(),
            flaky)) {
      String url = "http://127.0.0.1:" + own.address().getPort();
      HttpResponse<String> snapshot = send(url, "/api/snapshot");
      assertThat(snapshot.statusCode()).isEqualTo(500);
      assertThat(json(snapshot).get("error").asText()).contains("the broker is down");
      HttpResponse<String> processes = send(url, "/api/processes");
      assertThat(processes.statusCode()).isEqualTo(500);
      assertThat(json(processes).get("error").asText()).contains("classes are missing");

      try (SseClient events = new SseClient(http, URI.create(url + "/api/events"))) {
        assertThat(events.response.statusCode()).isEqualTo(200);
        // Let the sampler fail several times, both ways, before the view works again.
        awaitCondition("the sampler to fail a few times", () -> flaky.failures.get() >= 7);
        // The stream says why its numbers stopped: an exception, then an error.
        assertThat(events.next("problem").data()).contains("the broker is down");
        assertThat(events.next("problem").data()).contains("the broker is down");
        broken.set(false);
        JsonNode live = Json.mapper().readTree(events.next("snapshot").data());
        assertThat(live.get("node").asText()).isEqualTo(LiveNode.NODE_NAME);
      }
      assertThat(send(url, "/api/snapshot").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aLimitThatIsNotAPositiveNumber_is400NamingIt_andABigOneIsClamped() throws Exception {
    for (String bad : List.of("abc", "0", "-3", "1.5", "")) {
      HttpResponse<String> response = get("/api/tasks?limit=" + bad);
      assertThat(response.statusCode()).as("limit=%s", bad).isEqualTo(400);
      assertThat(json(response).get("error").asText()).startsWith("limit ");
    }
    assertThat(get("/api/processes?limit=99999999999999999999").statusCode()).isEqualTo(200);
    assertThat(DashboardHandler.MAX_LIMIT).isEqualTo(1000);
  }

  @Test
  void aBodyOverTheLimit_is413() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/processes/1/terminate"))
                .header(RequestGuard.CSRF_HEADER, csrf())
                .POST(
                    HttpRequest.BodyPublishers.ofString("x".repeat(DashboardHandler.MAX_BODY + 1)))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void aResponseOfSomeKilobytes_isNotHeldBackByNaglesAlgorithm() throws Exception {
    awaitCondition("100 recent tasks", () -> taskRows().size() >= 100);
    long[] nanos = new long[21];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      assertThat(get("/api/tasks?limit=100").body().length()).isGreaterThan(10_000);
      nanos[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(nanos);
    // With Nagle on (the JDK server's default), each such response waited for the client's
    // delayed ACK: 40 ms or more; without, a fraction of a millisecond.
    assertThat(Duration.ofNanos(nanos[nanos.length / 2])).isLessThan(Duration.ofMillis(30));
  }

  // ---- metrics ----

  @Test
  void metrics_isThePrometheusScrape() throws Exception {
    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain");
    assertThat(response.body()).contains("baton_dispatch_commands_total{module=\"echo\"}");
  }

  @Test
  void metrics_is404_whenTheNodeHasNone() throws Exception {
    try (Dashboard bare =
        Dashboard.start(DashboardSettings.builder().port(0).build(), node.viewWithoutMetrics())) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + bare.address().getPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).contains("metrics");
    }
  }

  // ---- live updates ----

  @Test
  void events_pushSuccessiveSnapshotsWithGrowingCounters_andRecentTasks() throws Exception {
    try (SseClient events = new SseClient(http, URI.create(base + "/api/events"))) {
      assertThat(events.response.statusCode()).isEqualTo(200);
      assertThat(events.response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/event-stream");

      JsonNode first = Json.mapper().readTree(events.next("snapshot").data());
      JsonNode later = first;
      long deadline = System.nanoTime() + dev.baton.testing.TestNode.BOUND.toNanos();
      while (later.get("commandsDispatched").asLong() <= first.get("commandsDispatched").asLong()
          && System.nanoTime() < deadline) {
        later = Json.mapper().readTree(events.next("snapshot").data());
      }
      assertThat(later.get("commandsDispatched").asLong())
          .isGreaterThan(first.get("commandsDispatched").asLong());
      assertThat(Instant.parse(later.get("at").asText()))
          .isAfter(Instant.parse(first.get("at").asText()));

      JsonNode tasks = Json.mapper().readTree(events.next("tasks").data());
      assertThat(tasks.isArray()).isTrue();
      assertThat(tasks.size()).isPositive();
    }
  }

  @Test
  void close_endsOpenStreams_andStopsListening() throws Exception {
    LiveNode other = new LiveNode();
    Dashboard own = Dashboard.start(DashboardSettings.builder().port(0).build(), other.view());
    URI events = URI.create("http://127.0.0.1:" + own.address().getPort() + "/api/events");
    try (SseClient stream = new SseClient(http, events)) {
      var _ = stream.next("snapshot");

      own.close();
      own.close(); // idempotent

      stream.awaitEnd();
      assertThatThrownBy(
              () ->
                  http.send(
                      HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    } finally {
      own.close();
      other.close();
    }
  }

  // ---- token ----

  @Test
  void withAToken_requestsWithoutOrWithAWrongOneAre401_andTheBearerOrCookieIsAccepted()
      throws Exception {
    try (Dashboard guarded =
        Dashboard.start(DashboardSettings.builder().port(0).token(TOKEN).build(), node.view())) {
      String url = "http://127.0.0.1:" + guarded.address().getPort();
      HttpResponse<String> none = send(url, "/api/snapshot");
      HttpResponse<String> wrong =
          send(url, "/api/snapshot", "Authorization", "Bearer wrong-token-of-some-length");
      HttpResponse<String> bearer = send(url, "/api/snapshot", "Authorization", "Bearer " + TOKEN);
      HttpResponse<String> cookie =
          send(
              url,
              "/api/snapshot",
              "Cookie",
              "other=1; baton_token_" + guarded.address().getPort() + "=" + TOKEN);

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(json(none).get("error").asText()).contains("token");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(bearer.statusCode()).isEqualTo(200);
      assertThat(cookie.statusCode()).isEqualTo(200);
      assertThat(send(url, "/metrics").statusCode()).isEqualTo(401);
      assertThat(send(url, "/api/events").statusCode()).isEqualTo(401);
      // The page itself loads (it asks for the token) but carries no CSRF token without one.
      HttpResponse<String> page = send(url, "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("name=\"baton-csrf\" content=\"\"");
    }
  }

  @Test
  void login_setsAnHttpOnlySameSiteStrictCookie_forTheRightTokenOnly() throws Exception {
    try (Dashboard guarded =
        Dashboard.start(DashboardSettings.builder().port(0).token(TOKEN).build(), node.view())) {
      URI login = URI.create("http://127.0.0.1:" + guarded.address().getPort() + "/api/login");
      HttpResponse<String> right = login(login, "{\"token\":\"" + TOKEN + "\"}");
      HttpResponse<String> wrong = login(login, "{\"token\":\"not-the-right-token-at-all\"}");
      HttpResponse<String> garbage = login(login, "not json");

      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(right.headers().firstValue("Set-Cookie").orElseThrow())
          .startsWith("baton_token_" + guarded.address().getPort() + "=" + TOKEN + ";")
          .contains("HttpOnly")
          .contains("SameSite=Strict");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
      assertThat(garbage.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void signingInToTwoDashboardsOnOneHost_keepsBothSignedIn() throws Exception {
    String otherToken = "another-token-for-tests-4567";
    HttpClient browser =
        HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    try (browser;
        Dashboard a =
            Dashboard.start(DashboardSettings.builder().port(0).token(TOKEN).build(), node.view());
        Dashboard b =
            Dashboard.start(
                DashboardSettings.builder().port(0).token(otherToken).build(), node.view())) {
      String urlA = "http://127.0.0.1:" + a.address().getPort();
      String urlB = "http://127.0.0.1:" + b.address().getPort();

      // Cookies are kept per host, not per port, as browsers do.
      assertThat(login(browser, urlA, TOKEN).statusCode()).isEqualTo(200);
      assertThat(login(browser, urlB, otherToken).statusCode()).isEqualTo(200);

      assertThat(read(browser, urlA + "/api/snapshot").statusCode()).isEqualTo(200);
      assertThat(read(browser, urlB + "/api/snapshot").statusCode()).isEqualTo(200);
    }
  }

  private static HttpResponse<String> login(HttpClient client, String url, String token)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(url + "/api/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> read(HttpClient client, String url)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(URI uri, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String url, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    if (path.equals("/api/events")) {
      request.timeout(dev.baton.testing.TestNode.BOUND);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPortInUse_isRefusedNamingTheAddress() {
    int taken = dashboard.address().getPort();

    assertThatThrownBy(
            () -> Dashboard.start(DashboardSettings.builder().port(taken).build(), node.view()))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("127.0.0.1:" + taken)
        .hasMessageContaining("dashboard.port");
  }
}
