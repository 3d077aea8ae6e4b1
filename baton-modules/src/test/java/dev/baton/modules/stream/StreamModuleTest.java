package dev.baton.modules.stream;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registry;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.stream.Streams.Chunk;
import dev.baton.modules.stream.Streams.StreamId;
import dev.baton.process.Event;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamModuleTest {
  @TempDir Path dir;

  private final PipeOpener pipes = new PipeOpener();
  private StreamModule module;
  private TestNode node;

  @BeforeEach
  void boot() {
    module = new StreamModule();
    node =
        TestNode.builder()
            .component(StreamTable.component())
            .dispatcher(module)
            .dispatcher(pipes)
            .build();
  }

  @AfterEach
  void stop() throws IOException {
    node.close();
    for (Pipe pipe : pipes.opened) {
      pipe.sink().close();
      pipe.source().close();
    }
  }

  private StreamTable table() {
    return node.services().require(StreamTable.KEY);
  }

  // ---- read and write ----

  @Test
  void writeThenReadBack_inACoroutine_returnsTheBytes_thenEof() {
    Path file = dir.resolve("a.txt");
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId out = p.call(Streams.OpenFile.write(file));
              long written = p.call(Streams.Write.text(out, "héllo"));
              boolean closed = p.call(new Streams.Close(out));
              StreamId in = p.call(Streams.OpenFile.read(file));
              Chunk first = p.call(new Streams.Read(in));
              Chunk second = p.call(new Streams.Read(in));
              return List.of(
                  written, closed, first.text(), first.eof(), second.bytes().length, second.eof());
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(6L, true, "héllo", false, 0, true));
    awaitCondition("the owner's end to close its streams", () -> table().size() == 0);
  }

  @Test
  void writeThenReadBack_fromAStepProcess_returnsTheBytes() throws IOException {
    Path file = dir.resolve("b.txt");
    List<Object> results =
        node.runScript(
            List.of(
                prev -> Streams.OpenFile.readWrite(file),
                prev -> Streams.Write.text((StreamId) prev.get(0), "step"),
                prev -> new Streams.Seek((StreamId) prev.get(0), 0, Streams.Whence.START),
                prev -> new Streams.Read((StreamId) prev.get(0), 2),
                prev -> new Streams.Read((StreamId) prev.get(0), 0)));

    assertThat(results.get(1)).isEqualTo(4L);
    assertThat(results.get(2)).isEqualTo(0L);
    assertThat(((Chunk) results.get(3)).text()).isEqualTo("st");
    assertThat(((Chunk) results.get(4)).text()).isEqualTo("ep");
    assertThat(Files.readString(file)).isEqualTo("step");
  }

  @Test
  void seekAndStat_reportSizePositionAndAccess() {
    Path file = dir.resolve("c.txt");
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.readWrite(file));
              var _ = p.call(Streams.Write.text(s, "0123456789"));
              Streams.StreamInfo afterWrite = p.call(new Streams.Stat(s));
              long fromEnd = p.call(new Streams.Seek(s, -3, Streams.Whence.END));
              Chunk tail = p.call(new Streams.Read(s));
              long back = p.call(new Streams.Seek(s, -5, Streams.Whence.CURRENT));
              boolean flushed = p.call(new Streams.Flush(s));
              return List.of(afterWrite, fromEnd, tail.text(), back, flushed);
            },
            null);

    assertThat(result.value())
        .isEqualTo(List.of(new Streams.StreamInfo(10, 10, true, true, true), 7L, "789", 5L, true));
  }

  @Test
  void seekBeforeTheStart_failsWithIllegalArgument() {
    Path file = dir.resolve("d.txt");
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.readWrite(file));
              return p.call(new Streams.Seek(s, -1, Streams.Whence.START));
            },
            null);

    assertThat(result.error())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before the start");
  }

  // ---- scanners ----

  @Test
  void scannerLines_handlesCrLf_aLastLineWithoutNewline_andUtf8SplitAcrossReads()
      throws IOException {
    Path file = dir.resolve("lines.txt");
    // "€" is 3 bytes; a read size of 2 splits it across reads.
    Files.writeString(file, "a€b\r\n\r\nsecond\nlast €");

    List<String> lines = scanAll(file, Streams.Split.LINES, 2, 1024);

    assertThat(lines).containsExactly("a€b", "", "second", "last €");
  }

  @Test
  void scannerWords_splitsOnAnyAsciiWhitespace() throws IOException {
    Path file = dir.resolve("words.txt");
    Files.writeString(file, "  one\ttwo\n\nthree  four ");

    assertThat(scanAll(file, Streams.Split.WORDS, 3, 1024))
        .containsExactly("one", "two", "three", "four");
  }

  @Test
  void scannerBytes_returnsOneBytePerToken() throws IOException {
    Path file = dir.resolve("bytes.bin");
    Files.write(file, new byte[] {1, 2, 3});

    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              Streams.ScannerId sc = p.call(new Streams.ScannerCreate(s, Streams.Split.BYTES));
              List<Integer> seen = new ArrayList<>();
              for (Streams.Token t = p.call(new Streams.ScannerScan(sc));
                  t.hasToken();
                  t = p.call(new Streams.ScannerScan(sc))) {
                seen.add(t.bytes().length == 1 ? (int) t.bytes()[0] : -1);
              }
              return seen;
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(1, 2, 3));
  }

  @Test
  void scannerLine_longerThanTheMaximum_failsWithTokenTooLong() throws IOException {
    Path file = dir.resolve("long.txt");
    Files.writeString(file, "short\n" + "x".repeat(100) + "\n");

    assertThatThrownBy(() -> scanAll(file, Streams.Split.LINES, 7, 10))
        .isInstanceOfSatisfying(
            TokenTooLongException.class, e -> assertThat(e.maxTokenBytes()).isEqualTo(10))
        .hasMessageContaining("maximum of 10 bytes");
  }

  // ---- errors ----

  @Test
  void readAfterClose_failsWithHandleNotFound_inAStepProcess() {
    Path file = dir.resolve("e.txt");
    List<Object> results =
        node.runScript(
            List.of(
                prev -> Streams.OpenFile.write(file),
                prev -> new Streams.Close((StreamId) prev.get(0)),
                prev -> new Streams.Read((StreamId) prev.get(0))));

    assertThat(results.get(1)).isEqualTo(true);
    assertThat(results.get(2))
        .isInstanceOfSatisfying(
            HandleNotFoundException.class, e -> assertThat(e.kind()).isEqualTo("stream"));
  }

  @Test
  void aStreamClosedUnderneath_failsWithStreamClosed() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(new OpenPipe());
              pipes.opened.getLast().source().close();
              return p.call(new Streams.Read(s));
            },
            null);

    assertThat(result.error()).isInstanceOf(StreamClosedException.class);
  }

  @Test
  void writeToAReadOnlyFile_failsWithNotWritable_andSeekOnAPipe_withNotSeekable()
      throws IOException {
    Path file = dir.resolve("ro.txt");
    Files.writeString(file, "x");

    Event.Completion write = node.yieldFromStep(new Streams.Write(new StreamId(1), new byte[] {1}));
    assertThat(write.error()).isInstanceOf(HandleNotFoundException.class);

    ProcessResult notWritable =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              return p.call(Streams.Write.text(s, "y"));
            },
            null);
    assertThat(notWritable.error())
        .isInstanceOfSatisfying(
            StreamOperationException.class,
            e -> assertThat(e.kind()).isEqualTo(StreamOperationException.Kind.NOT_WRITABLE));

    ProcessResult notSeekable =
        node.runCoroutine(
            (p, input) -> p.call(new Streams.Seek(p.call(new OpenPipe()), 0, Streams.Whence.END)),
            null);
    assertThat(notSeekable.error())
        .isInstanceOfSatisfying(
            StreamOperationException.class,
            e -> assertThat(e.kind()).isEqualTo(StreamOperationException.Kind.NOT_SEEKABLE));
  }

  @Test
  void openingAMissingFile_failsWithStreamOpen_namingThePath() {
    Path missing = dir.resolve("missing.txt");

    Event.Completion completion = node.yieldFromStep(Streams.OpenFile.read(missing));

    assertThat(completion.error())
        .isInstanceOfSatisfying(
            StreamOpenException.class, e -> assertThat(e.path()).isEqualTo(missing))
        .hasMessageContaining(missing.toString());
  }

  @Test
  void anotherProcesssStream_isNotFound() throws IOException {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "mine");
    var owner =
        node.startCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              p.receive("go"); // keep the stream open while the other process tries it
              return s;
            },
            null);
    awaitCondition("the owner to open its stream", () -> table().size() == 1);

    Event.Completion stolen = node.yieldFromStep(new Streams.Read(new StreamId(1)));

    assertThat(stolen.error()).isInstanceOf(HandleNotFoundException.class);
    node.scheduler().terminate(owner.pid());
    owner.await();
  }

  // ---- ownership and cancellation ----

  @Test
  void ownerEnds_closesItsFileChannel() throws IOException {
    Path file = dir.resolve("g.txt");
    Files.writeString(file, "data");
    var owner =
        node.startCoroutine(
            (p, input) -> {
              var _ = p.call(Streams.OpenFile.read(file));
              return p.receive("never"); // holds the stream until terminated
            },
            null);
    awaitCondition("the owner to open the file", () -> openDescriptorsOn(file) == 1);

    node.scheduler().terminate(owner.pid(), "test");
    owner.await();

    awaitCondition("the file's channel to be closed", () -> openDescriptorsOn(file) == 0);
    assertThat(table().size()).isZero();
  }

  /** How many of this JVM's file descriptors point at {@code file} (Linux's /proc/self/fd). */
  private static long openDescriptorsOn(Path file) {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      Path real = file.toRealPath();
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException | RuntimeException e) {
                  return false; // closed meanwhile, or not a link
                }
              })
          .count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aBlockingReadOnAPipe_isCancelledWhenTheProcessIsTerminated_andThePipeClosed() {
    var reader =
        node.startCoroutine(
            (p, input) -> {
              StreamId s = p.call(new OpenPipe());
              return p.call(new Streams.Read(s));
            },
            null);
    awaitCondition("the pipe to be opened", () -> pipes.opened.size() == 1);
    node.awaitWaiting(reader.pid());

    node.scheduler().terminate(reader.pid(), "test");
    ProcessResult result = reader.await();

    assertThat(result.isNormal()).isFalse();
    Pipe pipe = pipes.opened.getFirst();
    awaitCondition("the pipe's source to be closed", () -> !pipe.source().isOpen());
    assertThat(table().size()).isZero();
  }

  @Test
  void aReadWhoseDeadlinePasses_completesWithCancellation_andItsBytesGoToTheNextRead()
      throws Exception {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(new OpenPipe());
              Object first;
              try {
                first = p.call(new Streams.Read(s), java.time.Duration.ofMillis(50));
              } catch (RuntimeException e) {
                first = e.getClass().getSimpleName();
              }
              pipes.opened.getFirst().sink().write(ByteBuffer.wrap("late".getBytes(UTF8)));
              Chunk next = p.call(new Streams.Read(s));
              return List.of(first, next.text());
            },
            null);

    assertThat(result.value()).isEqualTo(List.of("YieldTimeoutException", "late"));
  }

  @Test
  void aPendingRead_completesWithCancellation_whenItsContextIsCancelled_andTheOwnersPipeCloses() {
    CancellationSignal owner = new CancellationSignal();
    CommandContext context = CommandContext.of(new Pid(4242), node.services(), owner);
    CommandRouter router = new CommandRouter(node.services().require(Registry.KEY));
    CompletableFuture<@Nullable Object> opened = new CompletableFuture<>();
    router.route(context, new OpenPipe(), 1, (tag, result, failure) -> opened.complete(result));
    Object openResult = requireNonNull(opened.join(), "stream");
    StreamId stream = (StreamId) openResult;
    CompletableFuture<@Nullable Throwable> read = new CompletableFuture<>();
    router.route(
        context, new Streams.Read(stream), 2, (tag, result, failure) -> read.complete(failure));

    assertThat(read).isNotDone(); // the pipe has no data: the read blocks
    var _ = owner.cancel();

    assertThat(read.join()).isInstanceOf(CancellationException.class);
    Pipe pipe = pipes.opened.getFirst();
    awaitCondition("the owner's pipe to be closed", () -> !pipe.source().isOpen());
    assertThat(table().size()).isZero();
  }

  // ---- helpers ----

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private List<String> scanAll(Path file, Streams.Split split, int readSize, int maxToken) {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              StreamId s = p.call(Streams.OpenFile.read(file));
              Streams.ScannerId sc =
                  p.call(new Streams.ScannerCreate(s, split, readSize, maxToken));
              List<String> tokens = new ArrayList<>();
              for (Streams.Token t = p.call(new Streams.ScannerScan(sc));
                  t.hasToken();
                  t = p.call(new Streams.ScannerScan(sc))) {
                tokens.add(t.text());
              }
              return tokens;
            },
            null);
    if (result.error() instanceof RuntimeException e) {
      throw e;
    }
    @SuppressWarnings("unchecked")
    List<String> tokens = (List<String>) requireNonNull(result.value(), "tokens");
    return tokens;
  }

  /** A test command: opens a pipe and registers its source as a stream through the SPI. */
  record OpenPipe() implements Command<StreamId> {
    @Override
    public CommandId commandId() {
      return PipeOpener.OPEN_PIPE;
    }
  }

  /** A module standing in for exec or http: hands processes streams through the table. */
  static final class PipeOpener implements Dispatcher {
    static final CommandId OPEN_PIPE = CommandId.of(900);
    final List<Pipe> opened = new CopyOnWriteArrayList<>();

    @Override
    public String module() {
      return "test.pipes";
    }

    @Override
    public List<String> dependsOn() {
      return List.of(StreamTable.COMPONENT_NAME);
    }

    @Override
    public Set<CommandId> commandIds() {
      return Set.of(OPEN_PIPE);
    }

    @Override
    public void registerAll(Registrar registrar, AppContext services) {
      StreamTable table = services.require(StreamTable.KEY);
      registrar.register(
          OPEN_PIPE,
          Handler.forType(
              OpenPipe.class,
              (context, command, tag, receiver) -> {
                Pipe pipe;
                try {
                  pipe = Pipe.open();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                opened.add(pipe);
                receiver.completeYield(
                    tag, table.open(context, StreamResource.readable(pipe.source())), null);
              }));
    }
  }
}
