package dev.baton.modules.websocket;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.Command;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.websocket.WebSockets.Binary;
import dev.baton.modules.websocket.WebSockets.Close;
import dev.baton.modules.websocket.WebSockets.Closed;
import dev.baton.modules.websocket.WebSockets.Connect;
import dev.baton.modules.websocket.WebSockets.Connection;
import dev.baton.modules.websocket.WebSockets.ConnectionId;
import dev.baton.modules.websocket.WebSockets.Incoming;
import dev.baton.modules.websocket.WebSockets.Ping;
import dev.baton.modules.websocket.WebSockets.Receive;
import dev.baton.modules.websocket.WebSockets.Send;
import dev.baton.modules.websocket.WebSockets.Subscribe;
import dev.baton.modules.websocket.WebSockets.Text;
import dev.baton.modules.websocket.WebSockets.Unsubscribe;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Event;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketModuleTest {
  private LocalWebSocketServer server;
  private WebSocketModule module;
  private TestNode node;

  @BeforeEach
  void boot() throws Exception {
    server = LocalWebSocketServer.startLocal();
    module = new WebSocketModule(Duration.ofSeconds(2));
    node = TestNode.builder().dispatcher(module).build();
  }

  @AfterEach
  void shutDown() throws Exception {
    node.close();
    server.shutdown();
  }

  // ---- connect ----

  @Test
  void connect_sendsTheHeadersAndReturnsTheChosenSubprotocol_thenEchoesText_inACoroutine() {
    ProcessResult result =
        node.runCoroutine(
            (p, in) -> {
              Connection connection =
                  p.call(
                      Connect.to(server.uri("/echo"))
                          .withHeader("X-Token", "abc")
                          .withSubprotocols("chat.v2", "chat.v1"));
              ConnectionId id = connection.id();
              boolean sent = p.call(Send.text(id, "hello"));
              Incoming echo = p.call(new Receive(id));
              Closed closed = p.call(new Close(id));
              return List.of(connection.subprotocol(), sent, echo, closed);
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value())
        .isEqualTo(List.of("chat.v2", true, new Text("hello"), new Closed(1000, "")));
    assertThat(server.log().getFirst())
        .isEqualTo("open /echo x-token=abc protocol=chat.v2, chat.v1");
    awaitCondition("the server to see the close", () -> server.saw("close 1000  remote=true"));
    assertThat(module.connectionCount()).isZero();
  }

  @Test
  void connect_send_receive_close_inAStepProcess() {
    ProcessResult result =
        node.runStep(
            new Chain(
                List.of(
                    previous -> Connect.to(server.uri("/step")),
                    previous -> Send.binary(idOf(previous), new byte[] {1, 2, 3}),
                    previous -> new Receive(new ConnectionId(1)),
                    previous -> new Close(new ConnectionId(1), 4001, "step done"))),
            null);

    @SuppressWarnings("unchecked")
    List<Event.Completion> completions = (List<Event.Completion>) result.value();
    assertThat(requireNonNull(completions)).hasSize(4).allMatch(Event.Completion::succeeded);
    assertThat(completions.get(0).result()).isEqualTo(new Connection(new ConnectionId(1), ""));
    assertThat(completions.get(1).result()).isEqualTo(true);
    assertThat(completions.get(2).result()).isEqualTo(new Binary(new byte[] {1, 2, 3}));
    assertThat(completions.get(3).result()).isEqualTo(new Closed(4001, "step done"));
    awaitCondition("the server to see the close", () -> server.saw("close 4001 step done"));
  }

  @Test
  void aRefusedUpgrade_failsWithTheHttpStatus_inBothStyles() {
    Connect refused = Connect.to(server.uri("/refuse"));
    assertThatThrownBy(() -> node.callInCoroutine(refused))
        .isInstanceOfSatisfying(
            WebSocketConnectException.class,
            e -> {
              assertThat(e.status()).isPresent();
              assertThat(e.status().getAsInt()).isBetween(400, 599);
              assertThat(e.getMessage()).contains("refused the upgrade with HTTP status");
            });
    assertThat(node.yieldFromStep(refused).error()).isInstanceOf(WebSocketConnectException.class);
    assertThat(module.connectionCount()).isZero();
  }

  @Test
  void connectingWhereNobodyListens_failsWithoutAStatus() throws Exception {
    int freePort;
    try (ServerSocket probe = new ServerSocket(0)) {
      freePort = probe.getLocalPort();
    }
    assertThatThrownBy(() -> node.callInCoroutine(Connect.to("ws://127.0.0.1:" + freePort + "/")))
        .isInstanceOfSatisfying(
            WebSocketConnectException.class, e -> assertThat(e.status()).isEmpty());
  }

  // ---- messages ----

  @Test
  void binaryAndText_areEchoed_andServerPushedMessagesArriveInOrder() {
    Object result =
        run(
            (p, id) -> {
              p.call(Send.binary(id, "bytes".getBytes(StandardCharsets.UTF_8)));
              Incoming binary = p.call(new Receive(id));
              p.call(Send.text(id, "push 5"));
              List<Incoming> pushed = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                pushed.add(p.call(new Receive(id)));
              }
              return List.of(binary, pushed);
            });

    assertThat(result)
        .isEqualTo(
            List.of(
                new Binary("bytes".getBytes(StandardCharsets.UTF_8)),
                List.of(
                    new Text("m0"),
                    new Text("m1"),
                    new Text("m2"),
                    new Text("m3"),
                    new Text("m4"))));
  }

  @Test
  void fragments_areAssembledIntoWholeMessages() {
    Object result =
        run(
            (p, id) -> {
              p.call(Send.text(id, "fragments"));
              return List.of(p.call(new Receive(id)), p.call(new Receive(id)));
            });

    assertThat(result)
        .isEqualTo(
            List.of(
                new Text("hello, world"), new Binary(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})));
  }

  @Test
  void fragmentsWithPingsBetween_manyTimesOnParallelConnections_areAllAssembled() {
    int connections = 4;
    int rounds = 60;
    List<TestNode.Started> started = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      started.add(
          node.startCoroutine(
              (p, in) -> {
                ConnectionId id = p.call(Connect.to(server.uri("/stress"))).id();
                for (int i = 0; i < rounds; i++) {
                  p.call(Send.text(id, i % 2 == 0 ? "fragments" : "fragments-with-pings"));
                  if (i % 3 == 0) {
                    p.call(new Ping(id, new byte[] {(byte) i}));
                  }
                  Incoming text = p.call(new Receive(id));
                  Incoming binary = p.call(new Receive(id));
                  if (!text.equals(new Text("hello, world"))
                      || !binary.equals(new Binary(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))) {
                    return "round " + i + ": " + text + " " + binary;
                  }
                }
                return "ok";
              },
              null));
    }
    for (TestNode.Started each : started) {
      ProcessResult result = each.await();
      assertThat(result.error()).isNull();
      assertThat(result.value()).isEqualTo("ok");
    }
  }

  @Test
  void aMessageOverTheReadLimit_closesTheConnection_andFailsEveryReceive() {
    ProcessResult result =
        node.runCoroutine(
            (p, in) -> {
              ConnectionId id = p.call(Connect.to(server.uri("/limit")).withReadLimit(1024)).id();
              p.call(Send.text(id, "big 1024"));
              Incoming exactlyAtTheLimit = p.call(new Receive(id));
              p.call(Send.text(id, "big 1025"));
              List<Object> failures = new ArrayList<>();
              for (int i = 0; i < 2; i++) {
                try {
                  p.call(new Receive(id));
                } catch (MessageTooLargeException expected) {
                  failures.add(expected.limit());
                }
              }
              return List.of(((Binary) exactlyAtTheLimit).length(), failures);
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(1024, List.of(1024, 1024)));
    awaitCondition(
        "the server to see the 1008 close",
        () -> server.saw("close 1008 message larger than 1024"));
  }

  // ---- close ----

  @Test
  void thePeersClose_isAMarkerEveryReceiveReturns_andSendsFailTyped() {
    Object result =
        run(
            (p, id) -> {
              p.call(Send.text(id, "close 4000 bye"));
              Incoming first = p.call(new Receive(id));
              Incoming again = p.call(new Receive(id));
              String sendError;
              try {
                p.call(Send.text(id, "after"));
                sendError = "sent";
              } catch (WebSocketClosedException expected) {
                sendError = "closed";
              }
              return List.of(first, again, sendError);
            });

    assertThat(result)
        .isEqualTo(List.of(new Closed(4000, "bye"), new Closed(4000, "bye"), "closed"));
  }

  @Test
  void aCloseAfterThePeersClose_completesWithThePeersMarker_andReleasesTheHandle() {
    Object result =
        run(
            (p, id) -> {
              p.call(Send.text(id, "close 4000 bye"));
              Incoming marker = p.call(new Receive(id));
              return List.of(marker, p.call(new Close(id)));
            });

    assertThat(result).isEqualTo(List.of(new Closed(4000, "bye"), new Closed(4000, "bye")));
    assertThat(module.connectionCount()).isZero();
  }

  @Test
  void close_completesWithThePeersAnswer_andReleasesTheHandle() {
    Object result =
        run(
            (p, id) -> {
              Closed closed = p.call(new Close(id, 4002, "done"));
              try {
                p.call(Send.text(id, "after close"));
                return List.of(closed, "sent");
              } catch (HandleNotFoundException expected) {
                return List.of(closed, "no handle");
              }
            });

    assertThat(result).isEqualTo(List.of(new Closed(4002, "done"), "no handle"));
    awaitCondition("the server to see the close", () -> server.saw("close 4002 done remote=true"));
  }

  @Test
  void aPendingReceive_getsTheCloseMarker_whenTheProcessClosesTheConnection() {
    ProcessResult result =
        node.runStep(
            new StepProcess() {
              @Nullable ConnectionId id;
              final List<Event.Completion> completions = new ArrayList<>();

              @Override
              public void step(List<Event> events, StepOutput out) {
                for (Event event : events) {
                  if (event instanceof Event.Completion completion) {
                    completions.add(completion);
                    if (completion.result() instanceof Connection connection) {
                      id = connection.id();
                      out.yield(new Receive(connection.id()));
                      out.yield(new Close(connection.id()));
                    }
                  }
                }
                if (completions.size() == 3) {
                  out.done(completions.stream().map(Event.Completion::result).toList());
                } else if (id == null && completions.isEmpty()) {
                  out.yield(Connect.to(server.uri("/pending")));
                } else {
                  out.waitForYields();
                }
              }
            },
            null);

    assertThat(result.value())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactlyInAnyOrder(
            new Connection(new ConnectionId(1), ""), new Closed(1000, ""), new Closed(1000, ""));
  }

  // ---- ping ----

  @Test
  void ping_completesWhenSent_andTheServerSeesItsPayload_inBothStyles() {
    // Each ends with a Close: aborting right after the ping (the owner's end) could reset the
    // connection before the server read it.
    Object result =
        run(
            (p, id) -> {
              boolean sent = p.call(new Ping(id, "hi".getBytes(StandardCharsets.UTF_8)));
              p.call(new Close(id));
              return sent;
            });
    assertThat(result).isEqualTo(true);
    awaitCondition("the server to see the ping", () -> server.saw("ping hi"));

    ProcessResult step =
        node.runStep(
            new Chain(
                List.of(
                    previous -> Connect.to(server.uri("/ping")),
                    previous -> new Ping(idOf(previous), "step".getBytes(StandardCharsets.UTF_8)),
                    previous -> new Close(new ConnectionId(2)))),
            null);
    @SuppressWarnings("unchecked")
    List<Event.Completion> completions = (List<Event.Completion>) requireNonNull(step.value());
    assertThat(completions.get(1).result()).isEqualTo(true);
    awaitCondition("the server to see the step's ping", () -> server.saw("ping step"));
  }

  @Test
  void theServersPingBetweenMessages_isAnsweredWhileReading() {
    Object result =
        run(
            (p, id) -> {
              p.call(Send.text(id, "ping-then after-the-ping"));
              return p.call(new Receive(id));
            });

    assertThat(result).isEqualTo(new Text("after-the-ping"));
    awaitCondition("the server to get its pong", () -> server.saw("pong"));
  }

  // ---- subscribe ----

  @Test
  void subscribe_relaysEveryMessageInOrder_thenTheCloseMarker() {
    Object result =
        run(
            (p, id) -> {
              boolean subscribed = p.call(new Subscribe(id, "ws.in"));
              p.call(Send.text(id, "push 20"));
              List<Object> received = new ArrayList<>();
              for (int i = 0; i < 20; i++) {
                received.add(p.receive("ws.in").payload());
              }
              p.call(Send.text(id, "close 1000 finished"));
              received.add(p.receive("ws.in").payload());
              return List.of(subscribed, received);
            });

    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(new Text("m" + i));
    }
    expected.add(new Closed(1000, "finished"));
    assertThat(result).isEqualTo(List.of(true, expected));
  }

  @Test
  void subscribe_inAStepProcess_deliversMailboxMessages() {
    ProcessResult result =
        node.runStep(
            new StepProcess() {
              int stage;
              final List<Object> seen = new ArrayList<>();

              @Override
              public void step(List<Event> events, StepOutput out) {
                for (Event event : events) {
                  if (event instanceof Event.Completion completion
                      && completion.result() instanceof Connection connection) {
                    out.yield(new Subscribe(connection.id(), "ws"));
                    out.yield(Send.text(connection.id(), "push 3"));
                  } else if (event instanceof Message message) {
                    seen.add(message.payload());
                  }
                }
                if (seen.size() == 3) {
                  out.done(seen);
                } else if (stage++ == 0) {
                  out.yield(Connect.to(server.uri("/step-subscribe")));
                } else {
                  out.idle();
                }
              }
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(new Text("m0"), new Text("m1"), new Text("m2")));
  }

  @Test
  void receiveWhileSubscribed_isAReadConflict_andUnsubscribeGivesReceiveBack() {
    Object result =
        run(
            (p, id) -> {
              p.call(new Subscribe(id, "ws"));
              String conflict;
              try {
                p.call(new Receive(id));
                conflict = "received";
              } catch (WebSocketReadConflictException expected) {
                conflict = "conflict";
              }
              String twice;
              try {
                p.call(new Subscribe(id, "other"));
                twice = "subscribed twice";
              } catch (WebSocketReadConflictException expected) {
                twice = "conflict";
              }
              boolean unsubscribed = p.call(new Unsubscribe(id));
              boolean again = p.call(new Unsubscribe(id));
              p.call(Send.text(id, "echo me"));
              return List.of(conflict, twice, unsubscribed, again, p.call(new Receive(id)));
            });

    assertThat(result).isEqualTo(List.of("conflict", "conflict", true, false, new Text("echo me")));
  }

  @Test
  void aFullMailbox_pausesReading_untilThereIsRoom_andLosesNothing() {
    CompletableFuture<Pid> subscribed = new CompletableFuture<>();
    CompletableFuture<Void> filled = new CompletableFuture<>();
    CompletableFuture<Void> paused = new CompletableFuture<>();
    TestNode.Started started =
        node.startCoroutine(
            (p, in) -> {
              ConnectionId id = p.call(Connect.to(server.uri("/full"))).id();
              p.call(new Subscribe(id, "ws"));
              subscribed.complete(p.pid());
              within(filled); // the test fills the mailbox meanwhile
              p.call(Send.text(id, "push 50"));
              within(paused); // until the relay found the mailbox full
              int fills = 0;
              List<Object> relayed = new ArrayList<>();
              while (relayed.size() < 50) {
                Message message = p.receive();
                if (message.topic().equals("ws")) {
                  relayed.add(message.payload());
                } else {
                  fills++;
                }
              }
              return List.of(fills, relayed);
            },
            null);
    Pid pid = within(subscribed);
    int fills = fill(pid);
    filled.complete(null);
    awaitCondition("the relay to pause for the full mailbox", () -> module.mailboxFullPauses() > 0);
    paused.complete(null);
    ProcessResult result = started.await();

    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add(new Text("m" + i));
    }
    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of(fills, expected));
  }

  // ---- ownership, cancellation ----

  @Test
  void theOwnersEnd_abortsItsConnection_andTheServerSeesItClose() {
    ProcessResult result =
        node.runCoroutine((p, in) -> p.call(Connect.to(server.uri("/owner"))).id(), null);

    assertThat(result.value()).isEqualTo(new ConnectionId(1));
    awaitCondition("the owner's end to release the handle", () -> module.connectionCount() == 0);
    awaitCondition("the server to see the connection close", () -> server.saw("close "));
  }

  @Test
  void anotherProcess_cannotUseTheConnection() {
    CompletableFuture<ConnectionId> connected = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (p, in) -> {
              connected.complete(p.call(Connect.to(server.uri("/mine"))).id());
              p.receive("done");
              return null;
            },
            null);
    ConnectionId id = within(connected);

    assertThatThrownBy(() -> node.callInCoroutine(Send.text(id, "not mine")))
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(node.yieldFromStep(new Receive(id)).error())
        .isInstanceOf(HandleNotFoundException.class);
    node.scheduler().send(owner.pid(), "done", null);
    owner.await();
  }

  @Test
  void aReceiveWhoseDeadlinePassed_freesItsTag_andTheNextReceiveGetsTheMessage() {
    CompletableFuture<ConnectionId> connected = new CompletableFuture<>();
    TestNode.Started started =
        node.startCoroutine(
            (p, in) -> {
              ConnectionId id = p.call(Connect.to(server.uri("/deadline"))).id();
              String first;
              try {
                p.call(new Receive(id), Duration.ofMillis(50));
                first = "received";
              } catch (YieldTimeoutException expected) {
                first = "timed out";
              }
              connected.complete(id);
              p.receive("pushed");
              return List.of(first, p.call(new Receive(id)), p.call(new Receive(id)));
            },
            null);
    ConnectionId id = within(connected);
    awaitCondition("the cancelled receive to end", () -> module.pendingReceives(id) == 0);
    // The demand the cancelled receive made is still out: the next message is read and kept.
    CompletableFuture<Void> unused =
        CompletableFuture.runAsync(
            () -> {
              for (org.java_websocket.WebSocket client : server.getConnections()) {
                client.send("kept");
                client.send("next");
              }
            });
    within(unused);
    node.scheduler().send(started.pid(), "pushed", null);

    assertThat(started.await().value())
        .isEqualTo(List.of("timed out", new Text("kept"), new Text("next")));
  }

  @Test
  void receivesWhoseDeadlinesRaceTheirMessages_loseNoMessage() {
    int count = 400;
    ProcessResult result =
        node.runCoroutine(
            (p, in) -> {
              ConnectionId id = p.call(Connect.to(server.uri("/race"))).id();
              p.call(Send.text(id, "push " + count));
              p.call(Send.text(id, "close 1000 end"));
              List<Incoming> received = new ArrayList<>();
              int timeouts = 0;
              for (int i = 0; ; i++) {
                Incoming next;
                try {
                  // Deadlines from 1 us to about 0.3 ms: many pass while the message is handed.
                  next = p.call(new Receive(id), Duration.ofNanos(1_000 + 60_000L * (i % 6)));
                } catch (YieldTimeoutException expected) {
                  timeouts++;
                  continue;
                }
                if (next instanceof Closed) {
                  return List.of(received, timeouts);
                }
                received.add(next);
              }
            },
            null);

    assertThat(result.error()).isNull();
    List<Incoming> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(new Text("m" + i));
    }
    List<?> value = (List<?>) requireNonNull(result.value());
    // Every message exactly once. Not strictly in order: the runtime queues a yield's timeout
    // before it runs the handler's cancellation, so a coroutine woken early can Receive again
    // before a message handed at the deadline is put back (a baton-core race, see the report).
    @SuppressWarnings("unchecked")
    List<Incoming> received = (List<Incoming>) value.get(0);
    assertThat(received).hasSize(count).containsExactlyInAnyOrderElementsOf(expected);
    assertThat((Integer) value.get(1)).as("receives whose deadline passed").isPositive();
  }

  @Test
  void commands_validateTheirArguments() {
    ConnectionId id = new ConnectionId(1);
    assertThatThrownBy(() -> new Close(id, 1009, "")).hasMessageContaining("code");
    assertThatThrownBy(() -> new Close(id, 1000, "x".repeat(124))).hasMessageContaining("reason");
    assertThatThrownBy(() -> new Ping(id, new byte[126])).hasMessageContaining("125");
    assertThatThrownBy(() -> new Subscribe(id, "@exit")).hasMessageContaining("topic");
    assertThatThrownBy(() -> Connect.to("http://127.0.0.1/")).hasMessageContaining("ws://");
    assertThatThrownBy(() -> Connect.to("ws://127.0.0.1/").withHeader("Sec-WebSocket-Key", "x"))
        .hasMessageContaining("Sec-WebSocket-Key");
    assertThatThrownBy(() -> Connect.to("ws://127.0.0.1/").withReadLimit(0))
        .hasMessageContaining("readLimit");
  }

  // ---- helpers ----

  /**
   * Connects to {@code /test} from a coroutine, runs {@code body} with the id, returns its value.
   */
  private @Nullable Object run(Body body) {
    ProcessResult result =
        node.runCoroutine(
            (p, in) -> {
              ConnectionId id = p.call(Connect.to(server.uri("/test"))).id();
              return body.run(p, id);
            },
            null);
    if (result.error() != null) {
      throw new AssertionError("the coroutine failed", result.error());
    }
    return result.value();
  }

  private static ConnectionId idOf(@Nullable Object connection) {
    return ((Connection) requireNonNull(connection, "connection")).id();
  }

  @FunctionalInterface
  private interface Body {
    @Nullable Object run(CoroutineScope p, ConnectionId id) throws Exception;
  }

  private int fill(Pid pid) {
    for (int sent = 0; ; sent++) {
      try {
        node.scheduler().send(pid, "fill", sent);
      } catch (MailboxFullException full) {
        return sent;
      }
    }
  }

  private static <T> T within(CompletableFuture<T> future) {
    try {
      return future.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete within " + TestNode.BOUND, e);
    }
  }

  /**
   * A step process that yields one command after another, each built from the previous result, and
   * ends with every completion (or at the first failure).
   */
  private static final class Chain implements StepProcess {
    private final List<Function<@Nullable Object, Command<?>>> commands;
    private final List<Event.Completion> completions = new ArrayList<>();
    private boolean started;

    Chain(List<Function<@Nullable Object, Command<?>>> commands) {
      this.commands = commands;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      Object previous = null;
      boolean completed = false;
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          completions.add(completion);
          previous = completion.result();
          completed = true;
          if (!completion.succeeded()) {
            out.done(completions);
            return;
          }
        }
      }
      if (completions.size() == commands.size()) {
        out.done(completions);
      } else if (!started || completed) {
        started = true;
        out.yield(commands.get(completions.size()).apply(previous));
      } else {
        out.waitForYields();
      }
    }
  }
}
