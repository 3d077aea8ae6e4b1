package dev.baton.modules.exec;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.stream.StreamModule;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import dev.baton.modules.stream.Streams.Chunk;
import dev.baton.process.Event;
import dev.baton.process.ProcessResult;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Exec.Input#pipe()} and {@link Exec.Output#pipe()}: a program's pipes as streams. */
class ExecPipesTest {
  @TempDir Path dir;

  private ExecModule module;
  private TestNode node;

  /** OS processes a test saw; all must be dead at the end. */
  private final List<ProcessHandle> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void boot() {
    module = ExecModule.withStreams();
    node =
        TestNode.builder()
            .component(StreamTable.component())
            .dispatcher(new StreamModule())
            .dispatcher(module)
            .build();
  }

  @AfterEach
  void everyOsProcessIsDead() {
    node.close();
    awaitCondition(
        "every OS process the test started to end",
        () ->
            seen.stream().noneMatch(ProcessHandle::isAlive)
                && ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive));
  }

  private StreamTable table() {
    return node.services().require(StreamTable.KEY);
  }

  private void track(Exec.ExecId id) {
    module.osProcess(id).ifPresent(seen::add);
  }

  private static Exec.Start piped(String... command) {
    return Exec.Start.of(command)
        .withStdin(Exec.Input.pipe())
        .withStdout(Exec.Output.pipe())
        .withStderr(Exec.Output.discard());
  }

  @Test
  void cat_inACoroutine_writeCloseStdin_readStdoutToEnd_thenWait() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Exec.ExecId id = p.call(piped("cat"));
              track(id);
              var _ = p.call(Streams.Write.text(id.stdinStream(), "hello\n"));
              var _ = p.call(Streams.Write.text(id.stdinStream(), "pipes ✓\n"));
              boolean closed = p.call(new Streams.Close(id.stdinStream()));
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              for (Chunk c = p.call(new Streams.Read(id.stdoutStream()));
                  !c.eof();
                  c = p.call(new Streams.Read(id.stdoutStream()))) {
                out.writeBytes(c.bytes());
              }
              ExitStatus status = p.call(new Exec.ProcessWait(id));
              return List.of(closed, out.toString(StandardCharsets.UTF_8), status.exitCode());
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(true, "hello\npipes ✓\n", 0));
    awaitCondition("the owner's end to release the pipes", () -> table().size() == 0);
  }

  @Test
  void lineScanner_overAProgramsOutput_seesEveryLine() {
    ProcessResult result =
        node.runCoroutine(
            (p, input) -> {
              Exec.ExecId id =
                  p.call(Exec.Start.of("seq", "1", "20000").withStdout(Exec.Output.pipe()));
              track(id);
              Streams.ScannerId lines =
                  p.call(new Streams.ScannerCreate(id.stdoutStream(), Streams.Split.LINES));
              int count = 0;
              String last = "";
              for (Streams.Token t = p.call(new Streams.ScannerScan(lines));
                  t.hasToken();
                  t = p.call(new Streams.ScannerScan(lines))) {
                count++;
                last = t.text();
              }
              ExitStatus status = p.call(new Exec.ProcessWait(id));
              return List.of(count, last, status.exitCode(), status.stdout().length);
            },
            null);

    // 20000 lines are more than a pipe holds: the program waited for the reader.
    assertThat(result.value()).isEqualTo(List.of(20000, "20000", 0, 0));
  }

  @Test
  void aStepProcess_startsWithPipes_writesAndScansALine() {
    List<Object> results = new ArrayList<>();
    StepProcess script =
        new StepProcess() {
          private Exec.@Nullable ExecId id;

          @Override
          public void step(List<Event> events, StepOutput out) {
            for (Event event : events) {
              if (event instanceof Event.Completion c) {
                if (c.error() != null) {
                  results.add(c.error());
                  out.done(results);
                  return;
                }
                results.add(requireNonNull(c.result(), "result"));
              }
            }
            Exec.ExecId started = id;
            switch (results.size()) {
              case 0 -> {
                var _ = out.yield(piped("cat"));
              }
              case 1 -> {
                started = (Exec.ExecId) results.get(0);
                id = started;
                track(started);
                var _ = out.yield(Streams.Write.text(started.stdinStream(), "one\ntwo\n"));
              }
              case 2 -> {
                var _ = out.yield(new Streams.Close(requireNonNull(started).stdinStream()));
              }
              case 3 -> {
                var _ =
                    out.yield(
                        new Streams.ScannerCreate(
                            requireNonNull(started).stdoutStream(), Streams.Split.LINES));
              }
              case 4, 5, 6 -> {
                var _ = out.yield(new Streams.ScannerScan((Streams.ScannerId) results.get(3)));
              }
              case 7 -> {
                var _ = out.yield(new Exec.ProcessWait(requireNonNull(started)));
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
    assertThat(((Streams.Token) results.get(4)).text()).isEqualTo("one");
    assertThat(((Streams.Token) results.get(5)).text()).isEqualTo("two");
    assertThat(((Streams.Token) results.get(6)).hasToken()).isFalse();
    assertThat(((ExitStatus) results.get(7)).exitCode()).isZero();
  }

  @Test
  void stderrPipe_andStdinFromAFile() throws IOException {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "from a file\n");
    ProcessResult result =
        node.runCoroutine(
            (p, in) -> {
              Exec.ExecId id =
                  p.call(
                      Exec.Start.of("sh", "-c", "cat >&2")
                          .withStdin(Exec.Input.fromFile(input))
                          .withStdout(Exec.Output.discard())
                          .withStderr(Exec.Output.pipe()));
              track(id);
              Chunk err = p.call(new Streams.Read(id.stderrStream()));
              ExitStatus status = p.call(new Exec.ProcessWait(id));
              return List.of(err.text(), status.exitCode(), id.stdin() == null);
            },
            null);

    assertThat(result.value()).isEqualTo(List.of("from a file\n", 0, true));
  }

  @Test
  void theOwnersEnd_closesThePipes_andKillsTheProgram_endingAPendingRead() {
    AtomicReference<Exec.@Nullable ExecId> started = new AtomicReference<>();
    TestNode.Started reader =
        node.startCoroutine(
            (p, input) -> {
              Exec.ExecId id = p.call(piped("cat"));
              track(id);
              started.set(id);
              return p.call(new Streams.Read(id.stdoutStream())); // cat waits for input: blocks
            },
            null);
    awaitCondition("the program to start", () -> started.get() != null);
    node.awaitWaiting(reader.pid());
    Exec.ExecId id = requireNonNull(started.get());
    ProcessHandle cat = module.osProcess(id).orElseThrow();
    assertThat(table().size()).isEqualTo(2);

    node.scheduler().terminate(reader.pid(), "test");

    assertThat(reader.await().isNormal()).isFalse();
    awaitCondition("the program to be killed", () -> !cat.isAlive());
    awaitCondition("the pipes to be released", () -> table().size() == 0);
    assertThat(module.programCount()).isZero();
  }

  @Test
  void aPipe_withoutTheStreamTable_failsNamingTheComponent() {
    try (TestNode plain = TestNode.builder().dispatcher(new ExecModule()).build()) {
      assertThatThrownBy(() -> plain.callInCoroutine(piped("cat")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(StreamTable.COMPONENT_NAME)
          .hasMessageContaining("ExecModule.withStreams()");
      assertThat(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive)).isTrue();
    }
  }

  @Test
  void withStreams_withoutTheStreamTable_failsToBootNamingIt() {
    assertThatThrownBy(() -> TestNode.builder().dispatcher(ExecModule.withStreams()).build())
        .hasMessageContaining(StreamTable.COMPONENT_NAME);
  }

  @Test
  void aStreamAccessor_ofAnOutputThatWasNotPiped_saysHowToPipeIt() {
    Exec.ExecId id = new Exec.ExecId(7);

    assertThatThrownBy(id::stdoutStream)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("withStdout(Output.pipe())");
  }
}
