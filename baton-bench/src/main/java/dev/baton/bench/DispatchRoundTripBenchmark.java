package dev.baton.bench;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Registry;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.time.SystemTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dispatch round trip with 1,000 requests in flight: a requester sends a request, a handler
 * answers at once, the requester resumes and sends the next. Baton's step processes and coroutines
 * against Vert.x's event bus (local request/reply) and Pekko's ask, in the same JVM and run.
 *
 * <p>Each invocation makes 1,000 requesters (long-lived, so spawning is not measured) each run
 * {@value #ROUND_TRIPS_EACH} round trips one after another; JMH divides by {@value #ROUND_TRIPS},
 * so the score is round trips per second and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes
 * per round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 2,
    jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx2g"})
public class DispatchRoundTripBenchmark {
  static final int IN_FLIGHT = 1_000;
  static final int ROUND_TRIPS_EACH = 100;
  static final int ROUND_TRIPS = IN_FLIGHT * ROUND_TRIPS_EACH;
  private static final CommandId ECHO = CommandId.of(300);
  private static final long WAIT_SECONDS = 60;

  /** The request: answered at once by the echo handler with its own value. */
  record Echo(int value) implements Command<Integer> {
    static final Echo ONE = new Echo(1);

    @Override
    public CommandId commandId() {
      return ECHO;
    }
  }

  /** What a requester is told to do: how many round trips, and whom to tell when done. */
  record Go(int roundTrips, CountDownLatch done) {}

  /** A step process that runs the round trips it is told to, one yield per step. */
  static final class StepRequester implements StepProcess {
    private int remaining;
    private @Nullable CountDownLatch done;

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Message message && message.payload() instanceof Go go) {
          remaining = go.roundTrips();
          done = go.done();
        } else if (event instanceof Event.Completion) {
          remaining--;
        }
      }
      CountDownLatch latch = done;
      if (latch == null) {
        out.idle();
      } else if (remaining == 0) {
        done = null;
        latch.countDown();
        out.idle();
      } else {
        out.yield(Echo.ONE);
      }
    }
  }

  /** An actor that answers every message with itself. */
  static final class EchoActor extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(message -> getSender().tell(message, getSelf())).build();
    }
  }

  private final SystemTimeSource time = new SystemTimeSource("bench-timer");
  private final Scheduler scheduler;
  private final List<Pid> stepRequesters = new ArrayList<>();
  private final List<Pid> coroutineRequesters = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private final EventBus eventBus = vertx.eventBus();
  private final ActorSystem actorSystem = ActorSystem.create("bench");
  private final ActorRef echoActor = actorSystem.actorOf(Props.create(EchoActor.class));

  /** Boots the three runtimes and their 1,000 requesters each. */
  public DispatchRoundTripBenchmark() {
    Registry registry = new Registry();
    registry.reservations().reserve("bench", ECHO);
    registry
        .registrar("bench")
        .register(
            ECHO,
            (context, command, tag, receiver) ->
                receiver.completeYield(tag, ((Echo) command).value(), null));
    registry.freeze();
    scheduler = Scheduler.builder().registry(registry).timeSource(time).build();
    for (int i = 0; i < IN_FLIGHT; i++) {
      stepRequesters.add(scheduler.spawn(new StepRequester()));
      coroutineRequesters.add(
          scheduler.spawnCoroutine(
              (process, input) -> {
                while (true) {
                  Go go = (Go) process.receive().payload();
                  if (go == null) {
                    return null;
                  }
                  for (int trip = 0; trip < go.roundTrips(); trip++) {
                    process.call(Echo.ONE);
                  }
                  go.done().countDown();
                }
              }));
    }
    eventBus.<Integer>consumer("echo", message -> message.reply(message.body()));
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void batonStepProcesses() throws InterruptedException {
    tellAll(stepRequesters);
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void batonCoroutines() throws InterruptedException {
    tellAll(coroutineRequesters);
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void vertxRequestReply() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(IN_FLIGHT);
    for (int i = 0; i < IN_FLIGHT; i++) {
      vertxChain(ROUND_TRIPS_EACH, done);
    }
    await(done);
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void pekkoAsk() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(IN_FLIGHT);
    for (int i = 0; i < IN_FLIGHT; i++) {
      pekkoChain(ROUND_TRIPS_EACH, done);
    }
    await(done);
  }

  private void tellAll(List<Pid> requesters) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(requesters.size());
    Go go = new Go(ROUND_TRIPS_EACH, done);
    for (Pid requester : requesters) {
      scheduler.send(requester, "go", go);
    }
    await(done);
  }

  private void vertxChain(int remaining, CountDownLatch done) {
    if (remaining == 0) {
      done.countDown();
      return;
    }
    eventBus.<Integer>request("echo", 1).onComplete(reply -> vertxChain(remaining - 1, done));
  }

  private void pekkoChain(int remaining, CountDownLatch done) {
    if (remaining == 0) {
      done.countDown();
      return;
    }
    Patterns.ask(echoActor, 1, Duration.ofSeconds(30))
        .whenComplete((reply, failure) -> pekkoChain(remaining - 1, done));
  }

  private static void await(CountDownLatch done) throws InterruptedException {
    if (!done.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("round trips did not finish within " + WAIT_SECONDS + " s");
    }
  }

  /** Stops the three runtimes. */
  @TearDown(Level.Trial)
  public void stop() throws Exception {
    for (Pid requester : coroutineRequesters) {
      scheduler.send(requester, "stop", null);
    }
    scheduler.shutdown(Duration.ofSeconds(10));
    time.close();
    vertx.close().await(30, TimeUnit.SECONDS);
    actorSystem.terminate();
    actorSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
