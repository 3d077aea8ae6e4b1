package dev.baton.modules.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registry;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.NotAProcessException;
import dev.baton.modules.clock.Clock.Fire;
import dev.baton.modules.clock.Clock.Sleep;
import dev.baton.modules.clock.Clock.Tick;
import dev.baton.modules.clock.Clock.TickerId;
import dev.baton.modules.clock.Clock.TickerStart;
import dev.baton.modules.clock.Clock.TickerStop;
import dev.baton.modules.clock.Clock.TimerId;
import dev.baton.modules.clock.Clock.TimerReset;
import dev.baton.modules.clock.Clock.TimerStart;
import dev.baton.modules.clock.Clock.TimerStop;
import dev.baton.modules.clock.Clock.TimerWait;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.Scheduler;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The clock module on manual time: sleeps, tickers and timers yielded by coroutines and step
 * processes, their errors, and what is left scheduled when their owner ends.
 *
 * <p>A test moves time only once the process is parked in the command it means (a stage the process
 * sets before it, then {@link TestNode#awaitWaiting}) and the expected number of tasks is
 * scheduled, so no advance can run before the command it is meant for.
 */
class ClockModuleTest {
  private static final Instant T0 = ManualTimeSource.DEFAULT_EPOCH;
  private static final Duration SECOND = Duration.ofSeconds(1);

  private ClockModule module = new ClockModule();
  private @Nullable TestNode node;

  @BeforeEach
  void boot() {
    module = new ClockModule();
    node = TestNode.builder().manualTime().dispatcher(module).build();
  }

  @AfterEach
  void shutdown() {
    node().close();
  }

  // ---- sleep ----

  @Test
  void sleep_zeroOrNegative_completesAtOnce_inACoroutine() {
    assertThat(node().callInCoroutine(new Sleep(Duration.ZERO))).isEqualTo(T0);
    assertThat(node().callInCoroutine(new Sleep(Duration.ofSeconds(-3)))).isEqualTo(T0);
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void sleep_zero_completesAtOnce_inAStepProcess() {
    Event.Completion completion = node().yieldFromStep(new Sleep(Duration.ZERO));

    assertThat(completion.error()).isNull();
    assertThat(completion.result()).isEqualTo(T0);
  }

  @Test
  void sleep_completesAfterItsDuration_notSooner_withTheTimeItWoke() {
    TestNode.Started sleeper =
        node()
            .startCoroutine(
                (process, input) -> process.call(new Sleep(Duration.ofSeconds(5))), null);
    awaitPending(1);

    time().advance(Duration.ofMillis(4_999));
    assertThat(time().pendingTasks()).as("still asleep").isEqualTo(1);
    assertThat(sleeper.exit()).isNotDone();

    time().advance(Duration.ofMillis(1));
    assertThat(sleeper.await().value()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void sleep_inAStepProcess_completesWithTheTimeItWoke() {
    ScriptedStep step = ScriptedStep.script().then(Clock.Sleep.ofMillis(2_000)).build();
    TestNode.Started started = node().startStep(step, null);
    awaitPending(1);

    time().advance(Duration.ofSeconds(2));

    ScriptedStep.Outcome outcome = outcome(started);
    assertThat(outcome.ofTag(1).result()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void sleep_fromANonProcessCaller_works_andItsCancellationUnschedulesIt_andCompletesOnce()
      throws Exception {
    CancellationSignal cancellation = new CancellationSignal();
    CommandContext context = CommandContext.of("a test", node().services(), cancellation);
    CompletableFuture<Object> woke = new CompletableFuture<>();

    handler(Clock.SLEEP)
        .handle(context, new Sleep(SECOND), 7, (tag, result, error) -> woke.complete(result));
    time().advance(SECOND);
    assertThat(woke).isCompletedWithValue(T0.plusSeconds(1));

    List<@Nullable Throwable> abandoned = new ArrayList<>();
    handler(Clock.SLEEP)
        .handle(context, new Sleep(SECOND), 8, (tag, result, error) -> abandoned.add(error));
    assertThat(time().pendingTasks()).isEqualTo(1);
    cancellation.cancel();
    assertThat(time().pendingTasks()).isZero();
    time().advance(SECOND);
    // Completed once, at the cancellation, with an error the runtime would drop.
    assertThat(abandoned).singleElement().isInstanceOf(CancellationException.class);
  }

  // ---- tickers ----

  @Test
  void ticker_sendsTicksWithSequenceNumbersAndTimes_onTheIdealSchedule_coroutine() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TickerId ticker = process.call(new TickerStart("tick", SECOND));
                  stage.set(1);
                  List<Object> ticks = new ArrayList<>();
                  for (int i = 0; i < 3; i++) {
                    ticks.add(payload(process.receive("tick")));
                  }
                  ticks.add(process.call(new TickerStop(ticker)));
                  ticks.add(ticker);
                  return ticks;
                },
                null);
    awaitStage(started, stage, 1, 1);

    time().advance(Duration.ofMillis(3_500));

    List<Object> result = results(started);
    TickerId ticker = (TickerId) result.get(4);
    assertThat(result.subList(0, 4))
        .containsExactly(
            new Tick(ticker, T0.plusSeconds(1), 1, 0),
            new Tick(ticker, T0.plusSeconds(2), 2, 0),
            new Tick(ticker, T0.plusSeconds(3), 3, 0),
            true);
    assertThat(time().pendingTasks()).as("the stopped ticker left nothing scheduled").isZero();
  }

  @Test
  void ticker_inAStepProcess_deliversTicks_andStopsWhenItsOwnerEnds() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TickerStart("tick", Duration.ofMillis(100)))
            .awaitMessages(2)
            .build();
    TestNode.Started started = node().startStep(step, null);
    TestNode.awaitCondition("the ticker to start", () -> step.stage() == 1);
    awaitPending(1);
    node().awaitWaiting(started.pid());

    time().advance(Duration.ofMillis(200));

    ScriptedStep.Outcome outcome = outcome(started);
    TickerId ticker = (TickerId) Objects.requireNonNull(outcome.ofTag(1).result());
    assertThat(outcome.messages())
        .extracting(Message::topic, Message::payload)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tick", new Tick(ticker, T0.plusMillis(100), 1, 0)),
            org.assertj.core.groups.Tuple.tuple(
                "tick", new Tick(ticker, T0.plusMillis(200), 2, 0)));
    assertThat(time().pendingTasks()).as("the owner ended: its ticker is gone").isZero();
  }

  @Test
  void tickerStop_stopsTheTicks_andASecondStopIsNotFound() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TickerId ticker = process.call(new TickerStart("tick", SECOND));
                  boolean stopped = process.call(new TickerStop(ticker));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(5)));
                  String next = firstMessageAfterAMarker(process);
                  Throwable again = errorOf(process, new TickerStop(ticker));
                  return List.of(stopped, next, again);
                },
                null);
    awaitStage(started, stage, 1, 1); // only the sleep is scheduled

    time().advance(Duration.ofSeconds(5));

    List<Object> result = results(started);
    assertThat(result.get(0)).isEqualTo(true);
    assertThat(result.get(1)).as("no tick arrived after the stop").isEqualTo("marker");
    assertThat(result.get(2))
        .isInstanceOfSatisfying(
            HandleNotFoundException.class, e -> assertThat(e.kind()).isEqualTo("ticker"));
  }

  @Test
  void tickerStop_inAStepProcess_returnsTrue_andUnschedulesTheTicker() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TickerStart("tick", SECOND))
            .then(done -> List.of(new TickerStop(tickerOf(done.get(0)))))
            .build();

    ScriptedStep.Outcome outcome = outcome(node().startStep(step, null));

    assertThat(outcome.ofTag(2).result()).isEqualTo(true);
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void tick_toAFullMailbox_isDropped_andCountedAsMissedInTheNextTick() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TickerId ticker = process.call(new TickerStart("tick", SECOND));
                  stage.set(1);
                  process.call(Sleep.ofMillis(1_500)); // the test fills the mailbox meanwhile
                  List<String> drained = new ArrayList<>();
                  for (int i = 0; i < Scheduler.DEFAULT_MAILBOX_CAPACITY; i++) {
                    drained.add(process.receive().topic());
                  }
                  stage.set(2);
                  Object tick = payload(process.receive("tick"));
                  process.call(new TickerStop(ticker));
                  return List.of(drained.stream().distinct().toList(), tick, ticker);
                },
                null);
    awaitStage(started, stage, 1, 2); // the ticker and the sleep
    for (int i = 0; i < Scheduler.DEFAULT_MAILBOX_CAPACITY; i++) {
      node().scheduler().send(started.pid(), "filler", i);
    }

    time().advance(Duration.ofMillis(1_500)); // tick 1 finds the mailbox full
    awaitStage(started, stage, 2, 1);
    time().advance(Duration.ofMillis(500));

    List<Object> result = results(started);
    assertThat(result.get(0)).as("tick 1 was dropped, not queued").isEqualTo(List.of("filler"));
    assertThat(result.get(1))
        .isEqualTo(new Tick((TickerId) result.get(2), T0.plusSeconds(2), 2, 1));
    assertThat(module.droppedMessages()).isEqualTo(1);
  }

  // ---- timers ----

  @Test
  void timer_fires_sendingItsMessage_coroutine() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(5), "fire"));
                  stage.set(1);
                  return List.of(timer, payload(process.receive("fire")));
                },
                null);
    awaitStage(started, stage, 1, 1);

    time().advance(Duration.ofSeconds(5));

    List<Object> result = results(started);
    assertThat(result.get(1)).isEqualTo(new Fire((TimerId) result.get(0), T0.plusSeconds(5)));
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void timerWait_beforeFire_waitsForTheFire_notSooner() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(2)));
                  stage.set(1);
                  return process.call(new TimerWait(timer));
                },
                null);
    awaitStage(started, stage, 1, 1);

    time().advance(Duration.ofMillis(1_999));
    assertThat(started.exit()).isNotDone();
    time().advance(Duration.ofMillis(1));

    assertThat(started.await().value()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void timerWait_afterFire_completesAtOnceWithTheFireTime() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(SECOND));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(2)));
                  return process.call(new TimerWait(timer));
                },
                null);
    awaitStage(started, stage, 1, 2);

    time().advance(Duration.ofSeconds(2));

    assertThat(started.await().value()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void timerWait_inAStepProcess_completesWithTheFireTime_afterTheFireMessage() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TimerStart(Duration.ofSeconds(3), "fire"))
            .then(done -> List.of(new TimerWait(timerOf(done.get(0)))))
            .awaitMessages(1)
            .build();
    TestNode.Started started = node().startStep(step, null);
    TestNode.awaitCondition("the wait to be yielded", () -> step.stage() == 2);
    awaitPending(1);

    time().advance(Duration.ofSeconds(3));

    ScriptedStep.Outcome outcome = outcome(started);
    TimerId timer = timerOf(outcome.ofTag(1));
    assertThat(outcome.ofTag(2).result()).isEqualTo(T0.plusSeconds(3));
    assertThat(outcome.messages())
        .extracting(Message::payload)
        .containsExactly(new Fire(timer, T0.plusSeconds(3)));
    assertThat(outcome.log().indexOf(outcome.messages().getFirst()))
        .as("the fire message arrived before the wait's completion")
        .isLessThan(outcome.indexOfTag(2));
  }

  @Test
  void timerStop_beforeFire_returnsTrue_andNoFireArrives_andTheHandleIsReleased() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(5), "fire"));
                  boolean stopped = process.call(new TimerStop(timer));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(10)));
                  return List.of(
                      stopped,
                      firstMessageAfterAMarker(process),
                      errorOf(process, new TimerWait(timer)));
                },
                null);
    awaitStage(started, stage, 1, 1); // only the sleep: the stopped timer is unscheduled

    time().advance(Duration.ofSeconds(10));

    List<Object> result = results(started);
    assertThat(result.get(0)).isEqualTo(true);
    assertThat(result.get(1)).as("no fire arrived").isEqualTo("marker");
    assertThat(result.get(2))
        .isInstanceOfSatisfying(
            HandleNotFoundException.class, e -> assertThat(e.kind()).isEqualTo("timer"));
  }

  @Test
  void timerStop_afterFire_returnsFalse() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(SECOND));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(2)));
                  return process.call(new TimerStop(timer));
                },
                null);
    awaitStage(started, stage, 1, 2);

    time().advance(Duration.ofSeconds(2));

    assertThat(started.await().value()).isEqualTo(false);
  }

  @Test
  void timerStop_withAPendingWait_failsTheWaitWithTimerStopped_stepProcess() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TimerStart(Duration.ofSeconds(5)))
            .then(
                done -> {
                  TimerId timer = timerOf(done.get(0));
                  return List.of(new TimerWait(timer), new TimerStop(timer));
                })
            .build();

    ScriptedStep.Outcome outcome = outcome(node().startStep(step, null));

    TimerId timer = timerOf(outcome.ofTag(1));
    assertThat(outcome.ofTag(2).error())
        .isInstanceOfSatisfying(
            TimerStoppedException.class, e -> assertThat(e.timer()).isEqualTo(timer));
    assertThat(outcome.ofTag(3).result()).isEqualTo(true);
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void timerReset_ofAnArmedTimer_returnsTrue_andMovesTheFire() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(5), "fire"));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(3)));
                  boolean wasArmed = process.call(new TimerReset(timer, Duration.ofSeconds(5)));
                  stage.set(2);
                  Instant firedAt = process.call(new TimerWait(timer));
                  return List.of(wasArmed, firedAt, payload(process.receive("fire")), timer);
                },
                null);
    awaitStage(started, stage, 1, 2);
    time().advance(Duration.ofSeconds(3));
    awaitStage(started, stage, 2, 1); // the old fire is unscheduled, the new one scheduled

    time().advance(Duration.ofMillis(4_999));
    assertThat(started.exit()).as("no fire at the old time").isNotDone();
    time().advance(Duration.ofMillis(1));

    List<Object> result = results(started);
    assertThat(result.subList(0, 3))
        .containsExactly(
            true, T0.plusSeconds(8), new Fire((TimerId) result.get(3), T0.plusSeconds(8)));
  }

  @Test
  void timerReset_ofAFiredButUnwaitedTimer_returnsFalse_andArmsItAgain_asGoDoes() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(SECOND));
                  stage.set(1);
                  process.call(new Sleep(Duration.ofSeconds(2))); // it fires at 1 s, unwaited
                  boolean wasArmed = process.call(new TimerReset(timer, Duration.ofSeconds(2)));
                  stage.set(2);
                  Instant firedAgain = process.call(new TimerWait(timer));
                  return List.of(wasArmed, firedAgain, errorOf(process, new TimerWait(timer)));
                },
                null);
    awaitStage(started, stage, 1, 2);
    time().advance(Duration.ofSeconds(2));
    awaitStage(started, stage, 2, 1);
    time().advance(Duration.ofSeconds(2));

    List<Object> result = results(started);
    assertThat(result.subList(0, 2)).containsExactly(false, T0.plusSeconds(4));
    assertThat(result.get(2))
        .as("the wait that returned the fire released the timer")
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(module.timerCount()).isZero();
  }

  @Test
  void aTimerWithATopic_isReleasedOnceItsMessageIsSent_soWaitResetAndStopAreNotFound() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(SECOND, "fire"));
                  stage.set(1);
                  Object fire = payload(process.receive("fire"));
                  return List.of(
                      fire,
                      errorOf(process, new TimerWait(timer)),
                      errorOf(process, new TimerReset(timer, SECOND)),
                      errorOf(process, new TimerStop(timer)),
                      module.timerCount());
                },
                null);
    awaitStage(started, stage, 1, 1);

    time().advance(SECOND);

    List<Object> result = results(started);
    assertThat(result.get(0)).isInstanceOf(Fire.class);
    assertThat(result.subList(1, 4)).allMatch(HandleNotFoundException.class::isInstance);
    assertThat(result.get(4)).as("live timers while the owner still runs").isEqualTo(0);
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void thousandSendAfterStyleTimers_leaveNoTimerTaskOrCancelCallbackBehind() throws Exception {
    TestNode.Started owner =
        node().startCoroutine((process, input) -> process.receive("done").payload(), null);
    CountingContext context = new CountingContext(owner.pid(), node());
    for (int i = 0; i < 1_000; i++) {
      assertThat(complete(context, new TimerStart(Duration.ofMillis(1), "reply-timeout")).error())
          .isNull();
      time().advance(Duration.ofMillis(1));
    }
    assertThat(module.timerCount()).as("timers in the handle table").isZero();
    assertThat(time().pendingTasks()).isZero();
    assertThat(context.liveCallbacks()).as("cancel callbacks still registered").isZero();
    assertThat(module.droppedMessages()).isZero();

    // Without a topic: a wait pending at the fire, or the first wait after it, releases it.
    for (int i = 0; i < 500; i++) {
      TimerId pendingAtFire = timerOf(complete(context, new TimerStart(Duration.ofMillis(1))));
      List<Event.Completion> waited = new ArrayList<>();
      handler(Clock.TIMER_WAIT)
          .handle(
              context,
              new TimerWait(pendingAtFire),
              2,
              (tag, result, error) -> waited.add(new Event.Completion(tag, result, error)));
      TimerId waitedAfter = timerOf(complete(context, new TimerStart(Duration.ofMillis(1))));
      time().advance(Duration.ofMillis(1));
      assertThat(waited).singleElement().satisfies(c -> assertThat(c.error()).isNull());
      assertThat(complete(context, new TimerWait(waitedAfter)).error()).isNull();
    }
    assertThat(module.timerCount()).isZero();
    assertThat(context.liveCallbacks()).isZero();

    node().scheduler().send(owner.pid(), "done", "ok");
    assertThat(owner.await().value()).isEqualTo("ok");
  }

  @Test
  void startingATimerOrTickerFromAnAlreadyCancelledContext_releasesItAtOnce() throws Exception {
    TestNode.Started owner =
        node().startCoroutine((process, input) -> process.receive("done").payload(), null);
    CancellationSignal gone = new CancellationSignal();
    gone.cancel();
    CommandContext context = CommandContext.of(owner.pid(), node().services(), gone);

    Event.Completion timer = complete(context, new TimerStart(SECOND, "fire"));
    Event.Completion ticker = complete(context, new TickerStart("tick", SECOND));

    assertThat(timer.result()).isInstanceOf(TimerId.class);
    assertThat(ticker.result()).isInstanceOf(TickerId.class);
    assertThat(module.timerCount()).isZero();
    assertThat(module.tickerCount()).isZero();
    assertThat(time().pendingTasks()).as("nothing armed for a gone owner").isZero();
    time().advance(Duration.ofSeconds(2));
    assertThat(module.droppedMessages()).isZero();
    node().scheduler().send(owner.pid(), "done", "ok");
    assertThat(owner.await().value()).isEqualTo("ok");
  }

  @Test
  void moduleStop_failsPendingWaitsAndSleeps_withClockStopped_andStopsTickers() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started waiter =
        node()
            .startCoroutine(
                (process, input) -> {
                  process.call(new TickerStart("tick", SECOND));
                  TimerId timer = process.call(new TimerStart(Duration.ofHours(1)));
                  stage.set(1);
                  return errorOf(process, new TimerWait(timer));
                },
                null);
    awaitStage(waiter, stage, 1, 2);
    ScriptedStep sleeper = ScriptedStep.script().then(new Sleep(Duration.ofHours(1))).build();
    TestNode.Started sleeping = node().startStep(sleeper, null);
    TestNode.awaitCondition("the sleep to be yielded", () -> sleeper.stage() == 1);
    awaitPending(3);
    node().awaitWaiting(sleeping.pid());

    module.stop(); // as the node's shutdown does, before the scheduler stops

    assertThat(waiter.await().value())
        .isInstanceOf(ClockStoppedException.class)
        .asString()
        .contains("clock module stopped");
    assertThat(outcome(sleeping).ofTag(1).error()).isInstanceOf(ClockStoppedException.class);
    assertThat(time().pendingTasks()).as("the ticker, the timer and the sleep").isZero();
    assertThatThrownBy(() -> node().callInCoroutine(Sleep.ofMillis(1)))
        .isInstanceOf(ClockStoppedException.class);
  }

  @Test
  void timerReset_inAStepProcess_returnsTrueForAnArmedTimer() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TimerStart(Duration.ofSeconds(5)))
            .then(done -> List.of(new TimerReset(timerOf(done.get(0)), Duration.ofSeconds(9))))
            .build();

    ScriptedStep.Outcome outcome = outcome(node().startStep(step, null));

    assertThat(outcome.ofTag(2).result()).isEqualTo(true);
    assertThat(time().pendingTasks()).as("ended with its owner").isZero();
  }

  @Test
  void zeroDurations_fireOnTheNextAdvance_forStartAndReset() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId sent = process.call(new TimerStart(Duration.ZERO, "fire"));
                  TimerId waited = process.call(new TimerStart(Duration.ofSeconds(5)));
                  boolean wasArmed = process.call(new TimerReset(waited, Duration.ZERO));
                  stage.set(1);
                  Instant at = process.call(new TimerWait(waited));
                  return List.of(wasArmed, at, payload(process.receive("fire")), sent);
                },
                null);
    awaitStage(started, stage, 1, 2); // the two zero-delay fires; the 5 s one was replaced

    time().advance(Duration.ZERO);

    List<Object> result = results(started);
    assertThat(result.subList(0, 3))
        .containsExactly(true, T0, new Fire((TimerId) result.get(3), T0));
  }

  // ---- errors ----

  @Test
  void handlesNeverCreated_areNotFound_forEveryTimerAndTickerCommand_coroutine() {
    TimerId timer = new TimerId(999);
    List<Command<?>> commands =
        List.of(
            new TimerWait(timer),
            new TimerStop(timer),
            new TimerReset(timer, SECOND),
            new TickerStop(new TickerId(999)));
    for (Command<?> command : commands) {
      assertThatThrownBy(() -> node().callInCoroutine(command))
          .as(command.toString())
          .isInstanceOfSatisfying(
              HandleNotFoundException.class, e -> assertThat(e.id()).isEqualTo(999));
    }
  }

  @Test
  void handlesNeverCreated_areNotFound_stepProcess() {
    assertThat(node().yieldFromStep(new TimerWait(new TimerId(42))).error())
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(node().yieldFromStep(new TickerStop(new TickerId(42))).error())
        .isInstanceOf(HandleNotFoundException.class);
  }

  @Test
  void anotherProcessesHandles_areNotFound_andStayIntact() throws Exception {
    CompletableFuture<List<Object>> handles = new CompletableFuture<>();
    TestNode.Started owner =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(10), "fire"));
                  TickerId ticker = process.call(new TickerStart("tick", Duration.ofSeconds(10)));
                  handles.complete(List.of(timer, ticker));
                  process.receive("done");
                  return List.of(
                      process.call(new TimerStop(timer)), process.call(new TickerStop(ticker)));
                },
                null);
    List<Object> owned = handles.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    TimerId timer = (TimerId) owned.get(0);
    TickerId ticker = (TickerId) owned.get(1);

    for (Command<?> intrusion :
        List.of(
            new TimerWait(timer),
            new TimerStop(timer),
            new TimerReset(timer, Duration.ZERO),
            new TickerStop(ticker))) {
      assertThatThrownBy(() -> node().callInCoroutine(intrusion))
          .as(intrusion.toString())
          .isInstanceOf(HandleNotFoundException.class);
    }
    assertThat(node().yieldFromStep(new TimerStop(timer)).error())
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(time().pendingTasks()).as("the owner's timer and ticker").isEqualTo(2);

    node().scheduler().send(owner.pid(), "done", null);
    assertThat(results(owner)).containsExactly(true, true);
  }

  @Test
  void aCallerThatIsNotAProcess_getsNotAProcess_forTimerAndTickerCommands() {
    CommandContext context =
        CommandContext.of("a bridge", node().services(), new CancellationSignal());
    List<Command<?>> commands =
        List.of(
            new TickerStart("tick", SECOND),
            new TickerStop(new TickerId(1)),
            new TimerStart(SECOND, "fire"),
            new TimerWait(new TimerId(1)),
            new TimerStop(new TimerId(1)),
            new TimerReset(new TimerId(1), SECOND));
    for (Command<?> command : commands) {
      assertThatThrownBy(
              () ->
                  handler(command)
                      .handle(
                          context,
                          command,
                          1,
                          (tag, result, error) -> {
                            throw new AssertionError("completed instead of throwing");
                          }))
          .as(command.toString())
          .isInstanceOf(NotAProcessException.class)
          .hasMessageContaining("clock.");
    }
    assertThat(time().pendingTasks()).isZero();
  }

  @Test
  void commands_rejectBadArguments_namingTheField() {
    TimerId timer = new TimerId(1);
    assertThatThrownBy(() -> new TickerStart("tick", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period");
    assertThatThrownBy(() -> new TickerStart("tick", Duration.ofNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period must be at least 1 ms");
    assertThatThrownBy(() -> new TickerStart("tick", Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period");
    assertThat(new TickerStart("tick", Clock.MIN_TICKER_PERIOD).period())
        .isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> new TickerStart(" ", SECOND))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> new TickerStart("@exit", SECOND))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> new TimerStart(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");
    assertThatThrownBy(() -> new TimerStart(SECOND, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> new TimerReset(timer, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");
    assertThatThrownBy(() -> new Sleep(nullDuration()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void module_reservesTheClockIds_andDependsOnTimeAndTheScheduler() {
    assertThat(module.module()).isEqualTo(ClockModule.MODULE).isEqualTo("clock");
    assertThat(module.commandIds())
        .extracting(id -> id.value())
        .containsExactlyInAnyOrder(10, 11, 12, 13, 14, 15, 16);
    assertThat(module.dependsOn()).containsExactlyInAnyOrder("time", "scheduler");
  }

  // ---- cancellation ----

  @Test
  void terminatingACoroutine_midTimerWait_withALiveTicker_leavesNothingScheduled_andSendsNothing() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  process.call(new TickerStart("tick", SECOND));
                  process.call(new TimerStart(Duration.ofSeconds(5), "fire"));
                  TimerId waited = process.call(new TimerStart(Duration.ofSeconds(5)));
                  stage.set(1);
                  return process.call(new TimerWait(waited));
                },
                null);
    awaitStage(started, stage, 1, 3);

    node().scheduler().terminate(started.pid());

    assertThat(started.await().error()).isInstanceOf(ProcessTerminatedException.class);
    assertThat(time().pendingTasks()).isZero();
    time().advance(Duration.ofSeconds(10));
    assertThat(module.droppedMessages()).as("nothing tried to reach the ended process").isZero();
  }

  @Test
  void terminatingACoroutine_midSleep_withALiveTicker_leavesNothingScheduled() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  process.call(new TickerStart("tick", SECOND));
                  stage.set(1);
                  return process.call(new Sleep(Duration.ofHours(1)));
                },
                null);
    awaitStage(started, stage, 1, 2);

    node().scheduler().terminate(started.pid());

    assertThat(started.await().error()).isInstanceOf(ProcessTerminatedException.class);
    assertThat(time().pendingTasks()).isZero();
    time().advance(Duration.ofHours(2));
    assertThat(module.droppedMessages()).isZero();
    assertThat(module.tickerCount()).isZero();
  }

  @Test
  void aSleepWhoseYieldDeadlineExpires_isUnscheduledAtTheDeadline() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  stage.set(1);
                  Throwable timedOut =
                      errorOf(process, new Sleep(Duration.ofHours(1)), Duration.ofSeconds(1));
                  stage.set(2);
                  process.receive("done");
                  return timedOut;
                },
                null);
    awaitStage(started, stage, 1, 2); // the sleep and the yield's deadline

    time().advance(SECOND);

    TestNode.awaitCondition("the timeout", () -> stage.get() == 2);
    assertThat(time().pendingTasks()).as("the sleep's task went with its deadline").isZero();
    node().scheduler().send(started.pid(), "done", null);
    assertThat(started.await().value()).isInstanceOf(YieldTimeoutException.class);
  }

  @Test
  void aTimerWaitWhoseYieldDeadlineExpires_leavesTheTimerToItsOwner_andALaterWaitGetsTheFire() {
    AtomicInteger stage = new AtomicInteger();
    TestNode.Started started =
        node()
            .startCoroutine(
                (process, input) -> {
                  TimerId timer = process.call(new TimerStart(Duration.ofSeconds(5)));
                  stage.set(1);
                  Throwable timedOut =
                      errorOf(process, new TimerWait(timer), Duration.ofSeconds(1));
                  stage.set(2);
                  return List.of(timedOut, process.call(new TimerWait(timer)));
                },
                null);
    awaitStage(started, stage, 1, 2); // the timer and the yield's deadline
    time().advance(SECOND);
    awaitStage(started, stage, 2, 1); // only the timer: the deadline fired

    time().advance(Duration.ofSeconds(4));

    List<Object> result = results(started);
    assertThat(result.get(0)).isInstanceOf(YieldTimeoutException.class);
    assertThat(result.get(1)).isEqualTo(T0.plusSeconds(5));
    assertThat(module.timerCount()).isZero();
  }

  @Test
  void terminatingAStepProcess_midSleep_withALiveTicker_leavesNothingScheduled() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TickerStart("tick", SECOND))
            .then(new Sleep(Duration.ofHours(1)))
            .build();
    TestNode.Started started = node().startStep(step, null);
    TestNode.awaitCondition("the sleep to be yielded", () -> step.stage() == 2);
    awaitPending(2);

    node().scheduler().terminate(started.pid());

    assertThat(started.await().error()).isInstanceOf(ProcessTerminatedException.class);
    assertThat(time().pendingTasks()).isZero();
    time().advance(Duration.ofHours(2));
    assertThat(module.droppedMessages()).isZero();
  }

  @Test
  void terminatingAStepProcess_midTimerWait_leavesNothingScheduled() {
    ScriptedStep step =
        ScriptedStep.script()
            .then(new TimerStart(Duration.ofSeconds(5), "fire"))
            .then(done -> List.of(new TimerWait(timerOf(done.get(0)))))
            .build();
    TestNode.Started started = node().startStep(step, null);
    TestNode.awaitCondition("the wait to be yielded", () -> step.stage() == 2);
    awaitPending(1);
    node().awaitWaiting(started.pid());

    node().scheduler().terminate(started.pid());

    assertThat(started.await().error()).isInstanceOf(ProcessTerminatedException.class);
    assertThat(time().pendingTasks()).isZero();
    time().advance(Duration.ofSeconds(10));
    assertThat(module.droppedMessages()).isZero();
  }

  @Test
  void anOwnerThatEndsNormally_releasesItsTimersAndTickers() {
    ProcessResult result =
        node()
            .runCoroutine(
                (process, input) -> {
                  process.call(new TickerStart("tick", SECOND));
                  process.call(new TimerStart(Duration.ofSeconds(5), "fire"));
                  return "done";
                },
                null);

    assertThat(result.value()).isEqualTo("done");
    assertThat(time().pendingTasks()).isZero();
  }

  // ---- on the system clock ----

  @Test
  void onTheSystemClock_sleepTimersAndTickersWork_andNothingFiresEarly() {
    try (TestNode real = TestNode.builder().dispatcher(new ClockModule()).build()) {
      ProcessResult result =
          real.runCoroutine(
              (process, input) -> {
                long start = System.nanoTime();
                process.call(Sleep.ofMillis(20));
                long slept = System.nanoTime() - start;
                Instant started = process.call(new Sleep(Duration.ZERO));
                var _ = process.call(new TimerStart(Duration.ofMillis(10), "fire"));
                Fire fire = (Fire) payload(process.receive("fire"));
                TimerId waitedFor = process.call(new TimerStart(Duration.ofMillis(10)));
                Instant waited = process.call(new TimerWait(waitedFor));
                TickerId ticker = process.call(new TickerStart("tick", Duration.ofMillis(5)));
                List<Long> sequences = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                  sequences.add(((Tick) payload(process.receive("tick"))).sequence());
                }
                process.call(new TickerStop(ticker));
                return List.of(
                    slept, !fire.at().isBefore(started) && !waited.isBefore(fire.at()), sequences);
              },
              null);

      assertThat(result.error()).isNull();
      List<?> values = (List<?>) Objects.requireNonNull(result.value());
      assertThat((Long) values.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
      assertThat(values.get(1)).isEqualTo(true);
      List<?> sequences = (List<?>) values.get(2);
      assertThat(sequences).hasSize(3);
      for (int i = 1; i < sequences.size(); i++) {
        assertThat((Long) sequences.get(i))
            .as("tick sequences strictly increase")
            .isGreaterThan((Long) sequences.get(i - 1));
      }
    }
  }

  // ---- helpers ----

  private TestNode node() {
    return Objects.requireNonNull(node, "node");
  }

  private ManualTimeSource time() {
    return node().manualTime();
  }

  private Handler handler(Command<?> command) {
    return handler(command.commandId());
  }

  private Handler handler(dev.baton.dispatch.CommandId id) {
    return Objects.requireNonNull(
        node().services().require(Registry.KEY).handler(id), "handler for " + id);
  }

  /** Runs {@code command}'s handler in {@code context} and returns its (synchronous) completion. */
  private Event.Completion complete(CommandContext context, Command<?> command) throws Exception {
    List<Event.Completion> completed = new ArrayList<>();
    handler(command)
        .handle(
            context,
            command,
            1,
            (tag, result, error) -> completed.add(new Event.Completion(tag, result, error)));
    assertThat(completed).as(command + " completed at once").hasSize(1);
    return completed.getFirst();
  }

  /** A process's context that counts the cancel callbacks registered and not yet removed. */
  private static final class CountingContext implements CommandContext {
    private final CommandContext delegate;
    private final AtomicInteger live = new AtomicInteger();

    CountingContext(dev.baton.process.Pid pid, TestNode node) {
      this.delegate = CommandContext.of(pid, node.services(), new CancellationSignal());
    }

    int liveCallbacks() {
      return live.get();
    }

    @Override
    public Object caller() {
      return delegate.caller();
    }

    @Override
    public boolean isCancelled() {
      return delegate.isCancelled();
    }

    @Override
    public dev.baton.dispatch.Registration onCancel(Runnable action) {
      dev.baton.dispatch.Registration registration = delegate.onCancel(action);
      live.incrementAndGet();
      return () -> {
        boolean removed = registration.remove();
        if (removed) {
          live.decrementAndGet();
        }
        return removed;
      };
    }

    @Override
    public dev.baton.boot.AppContext services() {
      return delegate.services();
    }
  }

  private void awaitPending(int tasks) {
    TestNode.awaitCondition(
        tasks + " scheduled tasks (now " + time().pendingTasks() + ")",
        () -> time().pendingTasks() == tasks);
  }

  /**
   * Waits until the coroutine has passed {@code stage}, is parked in the command after it, and
   * {@code tasks} tasks are scheduled.
   */
  private void awaitStage(TestNode.Started started, AtomicInteger stage, int expected, int tasks) {
    TestNode.awaitCondition("stage " + expected, () -> stage.get() >= expected);
    node().awaitWaiting(started.pid());
    awaitPending(tasks);
  }

  private static ScriptedStep.Outcome outcome(TestNode.Started started) {
    ProcessResult result = started.await();
    assertThat(result.error()).isNull();
    return (ScriptedStep.Outcome) Objects.requireNonNull(result.value(), "outcome");
  }

  private static List<Object> results(TestNode.Started started) {
    ProcessResult result = started.await();
    assertThat(result.error()).isNull();
    return List.<Object>copyOf((List<?>) Objects.requireNonNull(result.value(), "results"));
  }

  private static Object payload(Message message) {
    return Objects.requireNonNull(message.payload(), "payload");
  }

  private static TimerId timerOf(Event.Completion completion) {
    return (TimerId) Objects.requireNonNull(completion.result(), "timer");
  }

  private static TickerId tickerOf(Event.Completion completion) {
    return (TickerId) Objects.requireNonNull(completion.result(), "ticker");
  }

  /**
   * Sends the coroutine a marker and returns the topic of the first message in its mailbox: {@code
   * "marker"} proves nothing else arrived before it.
   */
  private static String firstMessageAfterAMarker(CoroutineScope process) {
    process.services().require(Scheduler.KEY).send(process.pid(), "marker", null);
    return process.receive().topic();
  }

  private static Throwable errorOf(CoroutineScope process, Command<?> command, Duration deadline) {
    try {
      process.call(command, deadline);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError(command + " succeeded");
  }

  private static Throwable errorOf(CoroutineScope process, Command<?> command) {
    try {
      process.call(command);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError(command + " succeeded");
  }

  @SuppressWarnings("NullAway") // deliberately null, to prove the constructor rejects it
  private static Duration nullDuration() {
    return null;
  }
}
