package dev.baton.modules.http;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.process.Event;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpModuleTest {
  private HttpModule module;
  private TestNode node;
  private HttpServer server;
  private ExecutorService serverThreads;

  /** Released at the end, so handlers that block on it end before the server stops. */
  private final CountDownLatch release = new CountDownLatch(1);

  private final AtomicInteger slowEntered = new AtomicInteger();
  private final AtomicLong streamedBytes = new AtomicLong();
  private final CountDownLatch streamBroken = new CountDownLatch(1);
  private final CountDownLatch barrier = new CountDownLatch(4);

  @BeforeEach
  void boot() throws IOException {
    serverThreads = Executors.newVirtualThreadPerTaskExecutor();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(serverThreads);
    server.createContext("/echo", HttpModuleTest::echo);
    server.createContext("/multipart", HttpModuleTest::multipart);
    server.createContext(
        "/missing", exchange -> respond(exchange, 404, "no such thing".getBytes(UTF_8)));
    server.createContext(
        "/redirect",
        exchange -> {
          exchange.getResponseHeaders().add("Location", "/echo?from=redirect");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    server.createContext(
        "/slow",
        exchange -> {
          slowEntered.incrementAndGet();
          awaitQuietly(release);
          respond(exchange, 200, "late".getBytes(UTF_8));
        });
    server.createContext(
        "/big", exchange -> respond(exchange, 200, new byte[1024 * 1024])); // Content-Length
    server.createContext(
        "/bigChunked",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked: no length to check up front
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 64; i++) {
              out.write(new byte[16 * 1024]);
            }
          }
        });
    server.createContext(
        "/endless",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[64 * 1024];
          try (OutputStream out = exchange.getResponseBody()) {
            while (release.getCount() > 0) { // writes block once the client stops reading
              out.write(chunk);
              out.flush();
              streamedBytes.addAndGet(chunk.length);
            }
          } catch (IOException closedByClient) {
            streamBroken.countDown();
          }
        });
    server.createContext(
        "/barrier",
        exchange -> {
          barrier.countDown();
          boolean all = awaitQuietly(barrier);
          respond(
              exchange, all ? 200 : 500, exchange.getRequestURI().getRawQuery().getBytes(UTF_8));
        });
    server.start();
    module = new HttpModule();
    node = TestNode.builder().dispatcher(module).build();
  }

  @AfterEach
  void stopEverything() {
    release.countDown();
    node.close();
    server.stop(0);
    serverThreads.close();
  }

  // ---- GET, headers, query ----

  @Test
  void get_sendsEncodedQueryAndEveryHeaderValue_coroutine() {
    Http.Response response =
        node.callInCoroutine(
            Http.Request.get(uri("/echo"))
                .withQuery("q", "a b&c=d/é")
                .withQuery("q", "2")
                .withHeader("X-Test", "one")
                .withHeader("X-Test", "two"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText())
        .contains("method=GET")
        .contains("q=[a b&c=d/é, 2]")
        .contains("x-test=[one, two]");
    assertThat(response.finalUri().getPath()).isEqualTo("/echo");
  }

  @Test
  void get_sendsEncodedQueryAndEveryHeaderValue_step() {
    Event.Completion completion =
        node.yieldFromStep(
            Http.Request.get(uri("/echo")).withQuery("k", "v v").withHeader("X-Test", "h"));

    assertThat(completion.error()).isNull();
    Http.Response response = (Http.Response) requireNonNull(completion.result());
    assertThat(response.bodyText()).contains("k=[v v]").contains("x-test=[h]");
  }

  // ---- bodies ----

  @Test
  void post_sendsTheBodyWithItsContentType() {
    Http.Response response = node.callInCoroutine(Http.Request.post(uri("/echo"), "hello body"));

    assertThat(response.bodyText())
        .contains("method=POST")
        .contains("body=hello body")
        .contains("content-type=[text/plain; charset=utf-8]");
  }

  @Test
  void postForm_sendsUrlEncodedFields() {
    Http.Response response =
        node.callInCoroutine(
            Http.Request.postForm(
                uri("/echo"), Map.of("name", List.of("a b+c"), "tag", List.of("x", "y"))));

    assertThat(response.bodyText())
        .contains("content-type=[application/x-www-form-urlencoded]")
        .contains("form.name=[a b+c]")
        .contains("form.tag=[x, y]");
  }

  @Test
  void postMultipart_sendsFieldsAndFiles_theServerParsesEveryPart_step() {
    byte[] file = {0, 1, 2, (byte) 255, '\r', '\n', '-', '-'};
    Event.Completion completion =
        node.yieldFromStep(
            Http.Request.postMultipart(
                uri("/multipart"),
                List.of(
                    Http.Part.field("title", "héllo"),
                    Http.Part.file("upload", "data.bin", "application/octet-stream", file))));

    assertThat(completion.error()).isNull();
    Http.Response response = (Http.Response) requireNonNull(completion.result());
    assertThat(response.bodyText().lines().toList())
        .containsExactly(
            "title|null|null|héllo",
            "upload|data.bin|application/octet-stream|0,1,2,-1,13,10,45,45");
  }

  // ---- status is data, redirects ----

  @Test
  void notFound_isAResponse_notAnError_inBothStyles() {
    Http.Response viaCoroutine = node.callInCoroutine(Http.Request.get(uri("/missing")));
    Event.Completion viaStep = node.yieldFromStep(Http.Request.get(uri("/missing")));

    assertThat(viaCoroutine.status()).isEqualTo(404);
    assertThat(viaCoroutine.isSuccess()).isFalse();
    assertThat(viaCoroutine.bodyText()).isEqualTo("no such thing");
    assertThat(viaStep.error()).isNull();
    assertThat(((Http.Response) requireNonNull(viaStep.result())).status()).isEqualTo(404);
  }

  @Test
  void redirect_isFollowed_andFinalUriNamesTheTarget_unlessDisabled() {
    Http.Response followed = node.callInCoroutine(Http.Request.get(uri("/redirect")));
    Http.Response notFollowed =
        node.callInCoroutine(Http.Request.get(uri("/redirect")).withFollowRedirects(false));

    assertThat(followed.status()).isEqualTo(200);
    assertThat(followed.finalUri().getPath()).isEqualTo("/echo");
    assertThat(followed.bodyText()).contains("from=[redirect]");
    assertThat(notFollowed.status()).isEqualTo(302);
    assertThat(notFollowed.header("location")).contains("/echo?from=redirect");
  }

  // ---- transport errors ----

  @Test
  void timeout_failsWithTimedOut_coroutine() {
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Http.Request.get(uri("/slow")).withTimeout(Duration.ofMillis(200))))
        .isInstanceOfSatisfying(
            HttpRequestFailedException.class,
            e -> {
              assertThat(e.timedOut()).isTrue();
              assertThat(e.method()).isEqualTo("GET");
              assertThat(e.uri().getPath()).isEqualTo("/slow");
            });
  }

  @Test
  void timeout_failsWithTimedOut_step() {
    Event.Completion completion =
        node.yieldFromStep(Http.Request.get(uri("/slow")).withTimeout(Duration.ofMillis(200)));

    assertThat(completion.error())
        .isInstanceOfSatisfying(
            HttpRequestFailedException.class, e -> assertThat(e.timedOut()).isTrue());
  }

  @Test
  void connectionRefused_failsWithHttpRequestFailed_notTimedOut() throws IOException {
    URI closed = closedPortUri();

    assertThatThrownBy(() -> node.callInCoroutine(Http.Request.get(closed)))
        .isInstanceOfSatisfying(
            HttpRequestFailedException.class,
            e -> {
              assertThat(e.timedOut()).isFalse();
              assertThat(e.uri()).isEqualTo(closed);
              assertThat(e).hasMessageContaining("GET " + closed);
            });
  }

  @Test
  void bodyOverTheLimit_failsWithResponseTooLarge_byLengthAndWhileStreaming() {
    assertThatThrownBy(
            () -> node.callInCoroutine(Http.Request.get(uri("/big")).withMaxResponseBytes(1000)))
        .isInstanceOfSatisfying(
            ResponseTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(1000));
    Event.Completion chunked =
        node.yieldFromStep(Http.Request.get(uri("/bigChunked")).withMaxResponseBytes(100_000));
    assertThat(chunked.error()).isInstanceOf(ResponseTooLargeException.class);
    Http.Response underLimit =
        node.callInCoroutine(Http.Request.get(uri("/bigChunked")).withMaxResponseBytes(1 << 20));
    assertThat(underLimit.body()).hasSize(1 << 20);
  }

  // ---- batch ----

  @Test
  void batch_runsConcurrently_resultsInRequestOrder_oneFailureKeepsTheOthers_coroutine()
      throws IOException {
    List<Http.Outcome> outcomes = node.callInCoroutine(barrierBatch());

    assertBatch(outcomes);
  }

  @Test
  void batch_runsConcurrently_resultsInRequestOrder_oneFailureKeepsTheOthers_step()
      throws IOException {
    Event.Completion completion = node.yieldFromStep(barrierBatch());

    assertThat(completion.error()).isNull();
    @SuppressWarnings("unchecked")
    List<Http.Outcome> outcomes = (List<Http.Outcome>) requireNonNull(completion.result());
    assertBatch(outcomes);
  }

  @Test
  void batch_aRequestTheClientRefuses_isItsOwnOutcome_andTheOthersAnswer() {
    List<Http.Outcome> outcomes =
        node.callInCoroutine(
            new Http.RequestBatch(
                List.of(
                    Http.Request.get(uri("/missing")).withHeader("Host", "elsewhere"),
                    Http.Request.get(uri("/missing")))));

    assertThat(outcomes.get(0).error()).isInstanceOf(IllegalArgumentException.class);
    assertThat(requireNonNull(outcomes.get(1).response()).status()).isEqualTo(404);
  }

  @Test
  void emptyBatch_completesAtOnce() {
    List<Http.Outcome> outcomes = node.callInCoroutine(new Http.RequestBatch(List.of()));

    assertThat(outcomes).isEmpty();
  }

  // ---- cancellation and deadlines ----

  @Test
  void terminatingTheCaller_midRequest_abortsTheExchange_andNothingCompletes() {
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) ->
                process.call(
                    Http.Request.get(uri("/endless")).withMaxResponseBytes(Long.MAX_VALUE)),
            null);
    awaitCondition("the server to stream", () -> streamedBytes.get() > 0);
    node.awaitWaiting(owner.pid());

    node.scheduler().terminate(owner.pid());

    ProcessResult result = owner.await();
    assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
    awaitCondition("the server to see the connection closed", () -> streamBroken.getCount() == 0);
  }

  @Test
  void yieldDeadline_cancelsTheRequest_andTheProcessCarriesOn() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              List<Object> seen = new ArrayList<>();
              try {
                process.call(Http.Request.get(uri("/slow")), Duration.ofMillis(100));
                seen.add("the slow request answered");
              } catch (YieldTimeoutException expected) {
                seen.add("deadline");
              }
              seen.add(process.call(Http.Request.get(uri("/missing"))).status());
              return seen;
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of("deadline", 404));
    assertThat(slowEntered.get()).isEqualTo(1);
  }

  // ---- validation ----

  @Test
  void requests_areValidatedWhenBuilt() {
    assertThatThrownBy(() -> Http.Request.get(URI.create("ftp://127.0.0.1/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http or https");
    assertThatThrownBy(
            () ->
                Http.Request.get(uri("/echo"))
                    .withBody(new Http.BytesBody(new byte[1], "text/plain")))
        .hasMessageContaining("GET takes no body");
    assertThatThrownBy(() -> Http.Request.get(uri("/echo")).withTimeout(Duration.ZERO))
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> Http.Request.get(uri("/echo")).withMaxResponseBytes(0))
        .hasMessageContaining("maxResponseBytes");
    assertThatThrownBy(() -> Http.Part.field("a\"b", "x")).hasMessageContaining("name");
  }

  // ---- helpers ----

  private Http.RequestBatch barrierBatch() throws IOException {
    List<Http.Request> requests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      requests.add(
          i == 2
              ? Http.Request.get(closedPortUri())
              : Http.Request.get(uri("/barrier")).withQuery("i", String.valueOf(i)));
    }
    return new Http.RequestBatch(requests);
  }

  /** The four barrier requests only answer 200 if all four were in flight at once. */
  private static void assertBatch(List<Http.Outcome> outcomes) {
    assertThat(outcomes).hasSize(5);
    for (int i : new int[] {0, 1, 3, 4}) {
      Http.Response response = requireNonNull(outcomes.get(i).response(), "response " + i);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("i=" + i);
    }
    assertThat(outcomes.get(2).succeeded()).isFalse();
    assertThat(outcomes.get(2).error()).isInstanceOf(HttpRequestFailedException.class);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static URI closedPortUri() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/gone");
  }

  private static boolean awaitQuietly(CountDownLatch latch) {
    try {
      return latch.await(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Answers with the method, decoded query, headers (lower case), body and form fields. */
  private static void echo(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
    StringBuilder out = new StringBuilder("method=" + exchange.getRequestMethod() + "\n");
    decode(exchange.getRequestURI().getRawQuery())
        .forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    exchange
        .getRequestHeaders()
        .forEach(
            (k, v) -> out.append(k.toLowerCase(Locale.ROOT)).append('=').append(v).append('\n'));
    out.append("body=").append(body).append('\n');
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if ("application/x-www-form-urlencoded".equals(type)) {
      decode(body)
          .forEach((k, v) -> out.append("form.").append(k).append('=').append(v).append('\n'));
    }
    respond(exchange, 200, out.toString().getBytes(UTF_8));
  }

  private static Map<String, List<String>> decode(@Nullable String raw) {
    Map<String, List<String>> fields = new java.util.TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return fields;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(pair.substring(0, eq), UTF_8);
      String value = URLDecoder.decode(pair.substring(eq + 1), UTF_8);
      fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return fields;
  }

  /**
   * Parses multipart/form-data independently of the encoder and answers one line per part:
   * name|filename|content-type|content (text for fields, signed bytes for files).
   */
  private static void multipart(HttpExchange exchange) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
    // ISO-8859-1 maps bytes 1:1 to chars, so binary content survives the split.
    String body =
        new String(
            exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    String[] sections = body.split("--" + boundary, -1);
    StringBuilder out = new StringBuilder();
    assertThat(sections[sections.length - 1]).isEqualTo("--\r\n");
    for (int i = 1; i < sections.length - 1; i++) {
      String section = sections[i];
      int headEnd = section.indexOf("\r\n\r\n");
      String head = section.substring(2, headEnd);
      byte[] content =
          section
              .substring(headEnd + 4, section.length() - 2)
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      String name = param(head, "name");
      String filename = param(head, "filename");
      @Nullable String partType = null;
      for (String line : head.split("\r\n", -1)) {
        if (line.startsWith("Content-Type: ")) {
          partType = line.substring("Content-Type: ".length());
        }
      }
      String shown;
      if (filename == null) {
        shown = new String(content, UTF_8);
      } else {
        List<String> bytes = new ArrayList<>();
        for (byte b : content) {
          bytes.add(String.valueOf(b));
        }
        shown = String.join(",", bytes);
      }
      out.append(name).append('|').append(filename).append('|').append(partType).append('|');
      out.append(shown).append('\n');
    }
    respond(exchange, 200, out.toString().getBytes(UTF_8));
  }

  private static @Nullable String param(String head, String name) {
    String key = "; " + name + "=\"";
    int start = head.indexOf(key);
    if (start < 0) {
      return null;
    }
    start += key.length();
    return head.substring(start, head.indexOf('"', start));
  }
}
