package dev.baton.modules.http;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.baton.modules.stream.StreamModule;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import dev.baton.modules.stream.Streams.Chunk;
import dev.baton.modules.stream.Streams.StreamId;
import dev.baton.process.Event;
import dev.baton.process.ProcessResult;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Http.Request#withStreamBody()} and {@link Http.FileBody}, against a local server. */
class HttpStreamBodyTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;

  private TestNode node;
  private HttpServer server;
  private ExecutorService serverThreads;

  /** Completed by /endless when a write fails: the client closed the connection. */
  private final CompletableFuture<Long> aborted = new CompletableFuture<>();

  /** What /record saw of its request body: "complete N" or "broken after N". */
  private final CompletableFuture<String> recorded = new CompletableFuture<>();

  /** Lets /held answer. */
  private final CountDownLatch answerHeld = new CountDownLatch(1);

  /** Completed by /held when a write fails: the client closed the connection. */
  private final CompletableFuture<Long> heldAborted = new CompletableFuture<>();

  /** Released at the end, so /endless stops writing if nothing aborted it. */
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void boot() throws IOException {
    serverThreads = Executors.newVirtualThreadPerTaskExecutor();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(serverThreads);
    server.createContext(
        "/pattern",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked
          byte[] piece = new byte[16 * 1024];
          try (OutputStream out = exchange.getResponseBody()) {
            for (int offset = 0; offset < MIB; offset += piece.length) {
              for (int i = 0; i < piece.length; i++) {
                piece[i] = pattern(offset + i);
              }
              out.write(piece);
              out.flush();
            }
          }
        });
    server.createContext(
        "/lines",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          StringBuilder text = new StringBuilder();
          for (int i = 1; i <= 500; i++) {
            text.append("line ").append(i).append('\n');
          }
          byte[] bytes = text.toString().getBytes(UTF_8);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < bytes.length; i += 777) { // pieces that split lines
              out.write(bytes, i, Math.min(777, bytes.length - i));
              out.flush();
            }
          }
        });
    server.createContext(
        "/endless",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[64 * 1024];
          long sent = 0;
          try (OutputStream out = exchange.getResponseBody()) {
            while (release.getCount() > 0) { // writes block once the client stops reading
              out.write(chunk);
              out.flush();
              sent += chunk.length;
            }
          } catch (IOException closedByClient) {
            aborted.complete(sent);
          }
        });
    server.createContext(
        "/count",
        exchange -> {
          long count = 0;
          long sum = 0;
          try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
              count += n;
              for (int i = 0; i < n; i++) {
                sum += buffer[i] & 0xff;
              }
            }
          }
          String type = exchange.getRequestHeaders().getFirst("Content-Type");
          byte[] answer = (count + " " + sum + " " + type).getBytes(UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.createContext(
        "/broken",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked, then the connection drops mid-body
          OutputStream out = exchange.getResponseBody();
          out.write(new byte[20_000]);
          out.flush();
          // no close, so no last chunk: the server drops the connection, the client's read fails
          throw new IOException("the server drops the connection mid-body (on purpose)");
        });
    server.createContext(
        "/held",
        exchange -> {
          long sent = 0;
          try {
            if (!answerHeld.await(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)) {
              return;
            }
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[64 * 1024];
            while (release.getCount() > 0) {
              out.write(chunk);
              out.flush();
              sent += chunk.length;
            }
          } catch (IOException closedByClient) {
            heldAborted.complete(sent);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.createContext(
        "/record",
        exchange -> {
          long count = 0;
          try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
              count += n;
            }
          } catch (IOException e) {
            recorded.complete("broken after " + count);
            throw e;
          }
          recorded.complete("complete " + count);
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.createContext(
        "/redirect307",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            var _ = in.readAllBytes();
          }
          exchange.getResponseHeaders().add("Location", "/count");
          exchange.sendResponseHeaders(307, -1);
          exchange.close();
        });
    server.start();
    node =
        TestNode.builder()
            .component(StreamTable.component())
            .dispatcher(new StreamModule())
            .dispatcher(HttpModule.withStreams())
            .build();
  }

  @AfterEach
  void stopEverything() {
    release.countDown();
    answerHeld.countDown();
    node.close();
    server.stop(0);
    serverThreads.close();
  }

  private static byte pattern(int offset) {
    return (byte) (offset % 251);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private StreamTable table() {
    return node.services().require(StreamTable.KEY);
  }

  @Test
  void aLargeChunkedBody_isReadInPieces_withoutTheMemoryLimit_inACoroutine() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Http.Response response =
                  p.call(
                      Http.Request.get(uri("/pattern"))
                          .withMaxResponseBytes(1024) // does not apply to a streamed body
                          .withStreamBody());
              StreamId body = response.streamedBody();
              int total = 0;
              int reads = 0;
              boolean matches = true;
              for (Chunk c = p.call(new Streams.Read(body, 8192));
                  !c.eof();
                  c = p.call(new Streams.Read(body, 8192))) {
                for (int i = 0; i < c.bytes().length; i++) {
                  matches &= c.bytes()[i] == pattern(total + i);
                }
                total += c.bytes().length;
                reads++;
              }
              return List.of(response.status(), response.body().length, total, reads > 1, matches);
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(200, 0, MIB, true, true));
    awaitCondition("the owner's end to release the body", () -> table().size() == 0);
  }

  @Test
  void aLineScanner_overAStreamedBody_seesEveryLine() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Http.Response response = p.call(Http.Request.get(uri("/lines")).withStreamBody());
              Streams.ScannerId lines =
                  p.call(new Streams.ScannerCreate(response.streamedBody(), Streams.Split.LINES));
              List<String> seen = new ArrayList<>();
              for (Streams.Token t = p.call(new Streams.ScannerScan(lines));
                  t.hasToken();
                  t = p.call(new Streams.ScannerScan(lines))) {
                seen.add(t.text());
              }
              return seen;
            },
            null);

    @SuppressWarnings("unchecked")
    List<String> lines = (List<String>) requireNonNull(result.value(), "lines");
    assertThat(lines).hasSize(500).startsWith("line 1", "line 2").endsWith("line 500");
  }

  @Test
  void aStepProcess_getsAStreamedBody_readsAndClosesIt() {
    List<Object> results = new ArrayList<>();
    StepProcess script =
        new StepProcess() {
          @Override
          public void step(List<Event> events, StepOutput out) {
            for (Event event : events) {
              if (event instanceof Event.Completion c) {
                results.add(c.error() != null ? c.error() : requireNonNull(c.result(), "result"));
              }
            }
            switch (results.size()) {
              case 0 -> {
                var _ = out.yield(Http.Request.get(uri("/lines")).withStreamBody());
              }
              case 1 -> {
                var _ =
                    out.yield(new Streams.Read(((Http.Response) results.get(0)).streamedBody(), 7));
              }
              case 2 -> {
                var _ =
                    out.yield(new Streams.Close(((Http.Response) results.get(0)).streamedBody()));
              }
              default -> {
                out.done(results);
                return;
              }
            }
            out.waitForYields();
          }
        };

    ProcessResult result = node.runStep(script, null);

    assertThat(result.isNormal()).isTrue();
    assertThat(((Chunk) results.get(1)).text()).isEqualTo("line 1\n");
    assertThat(results.get(2)).isEqualTo(true);
    assertThat(table().size()).isZero();
  }

  @Test
  void closingTheBodyEarly_abortsTheExchange_theServerSeesTheConnectionClosed() throws Exception {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Http.Response response = p.call(Http.Request.get(uri("/endless")).withStreamBody());
              Chunk first = p.call(new Streams.Read(response.streamedBody()));
              boolean closed = p.call(new Streams.Close(response.streamedBody()));
              return List.of(first.bytes().length > 0, closed);
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(true, true));
    assertThat(aborted.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void theOwnersEnd_releasesAnUnreadBody_andAbortsTheExchange() throws Exception {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Http.Response response = p.call(Http.Request.get(uri("/endless")).withStreamBody());
              return p.call(new Streams.Read(response.streamedBody(), 10)).bytes().length;
            },
            null);

    assertThat(result.value()).isEqualTo(10);
    assertThat(aborted.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)).isPositive();
    awaitCondition("the owner's end to release the body", () -> table().size() == 0);
  }

  @Test
  void aFileBody_isStreamedFromDisk_withItsContentType() throws IOException {
    Path file = dir.resolve("upload.bin");
    byte[] content = new byte[3 * MIB];
    long sum = 0;
    for (int i = 0; i < content.length; i++) {
      content[i] = pattern(i);
      sum += content[i] & 0xff;
    }
    Files.write(file, content);

    Http.Response response =
        node.callInCoroutine(
            Http.Request.of("PUT", uri("/count"))
                .withBody(new Http.FileBody(file, "application/octet-stream")));

    assertThat(response.bodyText()).isEqualTo(3 * MIB + " " + sum + " application/octet-stream");
  }

  @Test
  void aStreamBody_sendsTheRestOfAStreamTheCallerOwns_andLeavesItOpen() throws IOException {
    Path file = dir.resolve("stream-upload.bin");
    byte[] content = new byte[MIB + 123];
    long sum = 0;
    for (int i = 0; i < content.length; i++) {
      content[i] = pattern(i);
      sum += content[i] & 0xff;
    }
    Files.write(file, content);
    long skipped = pattern(0) & 0xff; // the first byte, read before the request
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              var _ = p.call(new Streams.Read(s, 1));
              Http.Response response =
                  p.call(
                      Http.Request.of("POST", uri("/count"))
                          .withBody(new Http.StreamBody(s, "text/csv")));
              Streams.StreamInfo after = p.call(new Streams.Stat(s)); // still the caller's
              return List.of(response.bodyText(), after.position());
            },
            null);

    assertThat(result.value())
        .isEqualTo(
            List.of(
                (content.length - 1) + " " + (sum - skipped) + " text/csv", (long) content.length));
  }

  @Test
  void aStreamBody_theCallerDoesNotOwn_failsWithHandleNotFound() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) ->
                p.call(
                    Http.Request.of("POST", uri("/count"))
                        .withBody(new Http.StreamBody(new StreamId(4242), null))),
            null);

    assertThat(result.error()).isInstanceOf(dev.baton.modules.HandleNotFoundException.class);
  }

  @Test
  void aMissingFileBody_failsBeforeSending() {
    Path missing = dir.resolve("missing.bin");

    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Http.Request.of("PUT", uri("/count"))
                        .withBody(new Http.FileBody(missing, null))))
        .isInstanceOf(HttpRequestFailedException.class)
        .hasMessageContaining("missing.bin");
  }

  @Test
  void aStreamedBody_withoutTheStreamTable_failsNamingTheComponent() {
    try (TestNode plain = TestNode.builder().dispatcher(new HttpModule()).build()) {
      assertThatThrownBy(
              () -> plain.callInCoroutine(Http.Request.get(uri("/lines")).withStreamBody()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(StreamTable.COMPONENT_NAME)
          .hasMessageContaining("HttpModule.withStreams()");
    }
  }

  @Test
  void aBatch_refusesAStreamedBody() {
    assertThatThrownBy(
            () ->
                new Http.RequestBatch(
                    List.of(
                        Http.Request.get(uri("/lines")),
                        Http.Request.get(uri("/lines")).withStreamBody())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests[1]");
  }

  @Test
  void aResponseReadIntoMemory_hasNoStream() {
    Http.Response response = node.callInCoroutine(Http.Request.get(uri("/lines")));

    assertThat(response.bodyStream()).isNull();
    assertThatThrownBy(response::streamedBody).isInstanceOf(IllegalStateException.class);
    assertThat(response.bodyText()).startsWith("line 1\n");
  }

  @Test
  void aStreamBody_whoseStreamFailsMidway_failsTheRequest_andIsNeverSentAsComplete()
      throws Exception {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Http.Response source = p.call(Http.Request.get(uri("/broken")).withStreamBody());
              return p.call(
                  Http.Request.of("POST", uri("/record"))
                      .withBody(new Http.StreamBody(source.streamedBody(), null)));
            },
            null);

    assertThat(result.error()).isInstanceOf(HttpRequestFailedException.class);
    assertThat(recorded.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("broken");
    awaitCondition("the owner's end to release the source", () -> table().size() == 0);
  }

  @Test
  void aStreamBody_thatARedirectWouldResend_failsTheRequest_insteadOfSendingTheRest()
      throws IOException {
    Path file = dir.resolve("redirected.bin");
    Files.write(file, new byte[100_000]);
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              return p.call(
                  Http.Request.of("POST", uri("/redirect307"))
                      .withFollowRedirects(true)
                      .withBody(new Http.StreamBody(s, null)));
            },
            null);

    assertThat(result.error())
        .isInstanceOf(HttpRequestFailedException.class)
        .hasStackTraceContaining("cannot be sent again");
  }

  @Test
  void aStreamBody_whoseRequestIsCancelled_leavesTheBytesOfItsWaitingReadToTheCaller()
      throws Exception {
    try (ServerSocketChannel peerServer =
        ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int peerPort = ((InetSocketAddress) peerServer.getLocalAddress()).getPort();
      CompletableFuture<SocketChannel> peer =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return peerServer.accept();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              serverThreads);
      ProcessResult result =
          node.runCoroutine(
              (p, input) -> {
                StreamId s = p.call(new Streams.Connect("127.0.0.1", peerPort));
                Object first;
                try {
                  // the peer sends nothing: the body's read waits until the deadline passes
                  first =
                      p.call(
                          Http.Request.of("POST", uri("/count"))
                              .withBody(new Http.StreamBody(s, null)),
                          Duration.ofMillis(200));
                } catch (YieldTimeoutException e) {
                  first = "timed out";
                }
                var _ = peer.join().write(ByteBuffer.wrap("late".getBytes(UTF_8)));
                Chunk next = p.call(new Streams.Read(s));
                return List.of(first, next.text());
              },
              null);

      assertThat(result.value()).isEqualTo(List.of("timed out", "late"));
      peer.join().close();
    }
  }

  @Test
  void aStreamedResponse_arrivingAfterItsDeadlinePassed_isClosed_andNoStreamIsLeft()
      throws Exception {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              try {
                return p.call(
                    Http.Request.get(uri("/held")).withStreamBody(), Duration.ofMillis(100));
              } catch (YieldTimeoutException e) {
                return "timed out";
              }
            },
            null);
    answerHeld.countDown(); // the response comes after its caller stopped waiting

    assertThat(result.value()).isEqualTo("timed out");
    assertThat(heldAborted.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    assertThat(table().size()).isZero();
  }

  @Test
  void aBatch_refusesAStreamBody() {
    assertThatThrownBy(
            () ->
                new Http.RequestBatch(
                    List.of(
                        Http.Request.of("POST", uri("/count"))
                            .withBody(new Http.StreamBody(new StreamId(1), null)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests[0]");
  }
}
