package dev.baton.modules.stream;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.modules.stream.Streams.Chunk;
import dev.baton.modules.stream.Streams.StreamId;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Streams.Connect}: TCP connections as streams, against a server on 127.0.0.1. */
class SocketStreamTest {
  @TempDir Path dir;

  private TestNode node;
  private ServerSocketChannel server;
  private int port;
  private final List<SocketChannel> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void boot() throws IOException {
    node =
        TestNode.builder()
            .component(StreamTable.component())
            .dispatcher(new StreamModule())
            .build();
    server =
        ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    port = ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  @AfterEach
  void stop() throws IOException {
    node.close();
    server.close();
    for (SocketChannel socket : accepted) {
      socket.close();
    }
  }

  private StreamTable table() {
    return node.services().require(StreamTable.KEY);
  }

  /** Accepts one connection on a virtual thread. */
  private CompletableFuture<SocketChannel> acceptOne() {
    CompletableFuture<SocketChannel> socket = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                SocketChannel s = server.accept();
                accepted.add(s);
                socket.complete(s);
              } catch (IOException e) {
                socket.completeExceptionally(e);
              }
            });
    return socket;
  }

  /** Accepts one connection and echoes what it reads until the client's end of stream. */
  private void echoOnce() {
    var _ =
        acceptOne()
            .thenAccept(
                s ->
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              ByteBuffer buffer = ByteBuffer.allocate(1024);
                              try {
                                while (s.read(buffer.clear()) >= 0) {
                                  buffer.flip();
                                  while (buffer.hasRemaining()) {
                                    var _ = s.write(buffer);
                                  }
                                }
                                s.close();
                              } catch (IOException e) {
                                // the test's assertions see what went wrong
                              }
                            }));
  }

  private static String readToEnd(SocketChannel socket) throws IOException {
    socket.socket().setSoTimeout((int) TestNode.BOUND.toMillis());
    var in = socket.socket().getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void echo_inACoroutine_writeHalfCloseReadToEnd_returnsWhatWasSent_thenTheOwnersEndReleases() {
    echoOnce();
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(new Streams.Connect("127.0.0.1", port));
              long written = p.call(Streams.Write.text(s, "hello, "));
              var _ = p.call(Streams.Write.text(s, "socket"));
              boolean halfClosed = p.call(Streams.Close.output(s));
              ByteArrayOutputStream got = new ByteArrayOutputStream();
              for (Chunk c = p.call(new Streams.Read(s, 4));
                  !c.eof();
                  c = p.call(new Streams.Read(s, 4))) {
                got.writeBytes(c.bytes());
              }
              Streams.StreamInfo info = p.call(new Streams.Stat(s));
              return List.of(
                  written, halfClosed, got.toString(StandardCharsets.UTF_8), info, table().size());
            },
            null);

    assertThat(result.value())
        .isEqualTo(
            List.of(
                7L, true, "hello, socket", new Streams.StreamInfo(-1, 26, true, true, false), 1));
    awaitCondition("the owner's end to close the socket", () -> table().size() == 0);
  }

  @Test
  void echo_fromAStepProcess_connectsWritesAndReads() throws Exception {
    echoOnce();
    List<Object> results =
        node.runScript(
            List.of(
                prev -> new Streams.Connect("127.0.0.1", port, Duration.ofSeconds(5)),
                prev -> Streams.Write.text((StreamId) prev.get(0), "step"),
                prev -> Streams.Close.output((StreamId) prev.get(0)),
                prev -> new Streams.ScannerCreate((StreamId) prev.get(0), Streams.Split.BYTES),
                prev -> new Streams.ScannerScan((Streams.ScannerId) prev.get(3)),
                prev -> new Streams.Read((StreamId) prev.get(0)),
                prev -> new Streams.Close((StreamId) prev.get(0))));

    assertThat(results.get(1)).isEqualTo(4L);
    assertThat(((Streams.Token) results.get(4)).text()).isEqualTo("s");
    // The scanner read ahead what had arrived; a Read after it gets what is left, or the end.
    assertThat(results.get(6)).isEqualTo(true);
    assertThat(table().size()).isZero();
  }

  @Test
  void scannerOverASocket_splitsWhatThePeerSendsIntoLines() throws Exception {
    CompletableFuture<SocketChannel> peer = acceptOne();
    var _ =
        peer.thenAccept(
            s ->
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            for (String part : List.of("first li", "ne\nsecond\r\n", "€ last")) {
                              var _ =
                                  s.write(ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8)));
                            }
                            s.close();
                          } catch (IOException e) {
                            // the assertions see a short result
                          }
                        }));
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(new Streams.Connect("localhost", port));
              Streams.ScannerId sc =
                  p.call(new Streams.ScannerCreate(s, Streams.Split.LINES, 3, 1024));
              List<String> lines = new ArrayList<>();
              for (Streams.Token t = p.call(new Streams.ScannerScan(sc));
                  t.hasToken();
                  t = p.call(new Streams.ScannerScan(sc))) {
                lines.add(t.text());
              }
              return lines;
            },
            null);

    assertThat(result.value()).isEqualTo(List.of("first line", "second", "€ last"));
  }

  @Test
  void theOwnersEnd_closesTheSocket_endingItsPendingRead_andThePeerSeesTheEnd() throws Exception {
    CompletableFuture<SocketChannel> peer = acceptOne();
    TestNode.Started reader =
        node.startCoroutine(
            (p, input) -> {
              StreamId s = p.call(new Streams.Connect("127.0.0.1", port));
              return p.call(new Streams.Read(s)); // the peer sends nothing: blocks
            },
            null);
    SocketChannel socket = peer.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
    node.awaitWaiting(reader.pid());
    awaitCondition("the socket to be registered", () -> table().size() == 1);

    node.scheduler().terminate(reader.pid(), "test");

    assertThat(reader.await().isNormal()).isFalse();
    assertThat(readToEnd(socket)).isEmpty(); // the end of the stream, not a timeout
    awaitCondition("the table to release the socket", () -> table().size() == 0);
  }

  @Test
  void aReadWhoseDeadlinePasses_completesWithTimeout_andItsBytesGoToTheNextRead() throws Exception {
    CompletableFuture<SocketChannel> peer = acceptOne();
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(new Streams.Connect("127.0.0.1", port));
              Object first;
              try {
                first = p.call(new Streams.Read(s), Duration.ofMillis(50));
              } catch (YieldTimeoutException e) {
                first = e.getClass().getSimpleName();
              }
              SocketChannel socket = peer.join();
              var _ = socket.write(ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8)));
              Chunk next = p.call(new Streams.Read(s));
              return List.of(first, next.text());
            },
            null);

    assertThat(result.value()).isEqualTo(List.of("YieldTimeoutException", "late"));
  }

  @Test
  void connectingToAClosedPort_failsWithRefused() throws IOException {
    int closedPort;
    try (ServerSocketChannel probe =
        ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
    }
    ProcessResult result =
        node.runCoroutine((p, input) -> p.call(new Streams.Connect("127.0.0.1", closedPort)), null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            StreamConnectException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StreamConnectException.Kind.REFUSED);
              assertThat(e.port()).isEqualTo(closedPort);
            })
        .hasMessageContaining("127.0.0.1:" + closedPort);
    assertThat(table().size()).isZero();
  }

  /**
   * Fills the never-accepting server's backlog (1): once its queue is full, Linux drops the
   * handshakes, so a connection is never established. Returns the connections to close.
   */
  private List<SocketChannel> fillBacklog() throws IOException {
    List<SocketChannel> fillers = new ArrayList<>();
    boolean full = false;
    for (int i = 0; i < 16 && !full; i++) {
      SocketChannel filler = SocketChannel.open();
      fillers.add(filler);
      try {
        filler.socket().connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
      } catch (SocketTimeoutException e) {
        full = true;
      }
    }
    assertThat(full).as("the backlog filled up").isTrue();
    return fillers;
  }

  @Test
  void aConnectWhoseDeadlinePasses_stopsConnecting_andOpensNoStream() throws IOException {
    List<SocketChannel> fillers = fillBacklog();
    try {
      ProcessResult result =
          node.runCoroutine(
              (p, input) -> {
                try {
                  return p.call(
                      new Streams.Connect("127.0.0.1", port, Duration.ofSeconds(30)),
                      Duration.ofMillis(100));
                } catch (YieldTimeoutException e) {
                  return "timed out";
                }
              },
              null);

      assertThat(result.value()).isEqualTo("timed out");
      assertThat(table().size()).isZero();
    } finally {
      for (SocketChannel filler : fillers) {
        filler.close();
      }
    }
  }

  @Test
  void connectingToAServerWhoseBacklogIsFull_failsWithTimedOut() throws IOException {
    List<SocketChannel> fillers = fillBacklog();
    try {

      ProcessResult result =
          node.runCoroutine(
              (p, input) -> p.call(new Streams.Connect("127.0.0.1", port, Duration.ofMillis(200))),
              null);

      assertThat(result.error())
          .isInstanceOfSatisfying(
              StreamConnectException.class,
              e -> assertThat(e.kind()).isEqualTo(StreamConnectException.Kind.TIMED_OUT));
    } finally {
      for (SocketChannel filler : fillers) {
        filler.close();
      }
    }
  }

  @Test
  void anUnknownHost_failsWithUnknownHost() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> p.call(new Streams.Connect("no-such-host.invalid", 80)), null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            StreamConnectException.class,
            e -> assertThat(e.kind()).isEqualTo(StreamConnectException.Kind.UNKNOWN_HOST));
  }

  @Test
  void halfClosingAFile_failsWithNotHalfClosable() {
    Path file = dir.resolve("f.txt");
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.write(file));
              return p.call(Streams.Close.output(s));
            },
            null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            StreamOperationException.class,
            e -> assertThat(e.kind()).isEqualTo(StreamOperationException.Kind.NOT_HALF_CLOSABLE));
  }
}
