package dev.baton.modules.event;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Registry;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.NotAProcessException;
import dev.baton.process.Event;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventModuleTest {
  private EventModule module;
  private TestNode node;
  private EventBus bus;

  @BeforeEach
  void boot() {
    module = new EventModule();
    node = TestNode.builder().component(EventBus.component()).dispatcher(module).build();
    bus = node.services().require(EventBus.KEY);
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  @Test
  void coroutine_subscribeThenSend_receivesThePublishedTopicPayloadAndSender() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("orders.*"));
              int delivered = process.call(new Events.Send("orders.created", "order 1"));
              return List.of(process.pid(), delivered, process.receive());
            },
            null);

    List<?> values = (List<?>) java.util.Objects.requireNonNull(result.value(), "value");
    assertThat(result.error()).isNull();
    assertThat(values.get(1)).isEqualTo(1);
    assertThat(values.get(2))
        .isEqualTo(new Message("orders.created", "order 1", (Pid) values.get(0)));
  }

  @Test
  void stepProcess_subscribes_andReceivesAnEventPublishedByJavaCode_withNoSender() {
    TestNode.Started subscriber = node.startStep(new SubscribeAndReceive("sensors.**", 1), null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    int delivered = bus.publish("sensors.kitchen.temperature", 21.5, null);

    ProcessResult result = subscriber.await();
    assertThat(delivered).isEqualTo(1);
    assertThat(result.value())
        .isEqualTo(List.of(new Message("sensors.kitchen.temperature", 21.5, null)));
  }

  @Test
  void send_toTopicsNobodyMatches_countsZero_andSucceeds() {
    TestNode.Started subscriber = node.startStep(new SubscribeAndReceive("a.*", 1), null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    assertThat(node.callInCoroutine(new Events.Send("a", "x"))).isZero();
    assertThat(node.callInCoroutine(new Events.Send("a.b.c", "x"))).isZero();
    assertThat(node.callInCoroutine(new Events.Send("b.a", "x"))).isZero();
    assertThat(node.callInCoroutine(new Events.Send("a.b", "x"))).isEqualTo(1);

    Message only = onlyMessage(subscriber.await());
    assertThat(only.topic()).isEqualTo("a.b");
    assertThat(only.sender()).as("the publishing coroutine").isNotNull();
  }

  @Test
  void eventsFromOnePublisher_arriveInPublishOrder() {
    int count = 2_000;
    TestNode.Started subscriber =
        node.startCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("sequence"));
              List<Object> received = new ArrayList<>();
              for (int i = 0; i < count; i++) {
                received.add(process.receive("sequence").payload());
              }
              return received;
            },
            null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    ProcessResult publisher =
        node.runCoroutine(
            (process, input) -> {
              for (int i = 0; i < count; i++) {
                process.call(new Events.Send("sequence", i));
              }
              return null;
            },
            null);

    assertThat(publisher.error()).isNull();
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(i);
    }
    assertThat(subscriber.await().value()).isEqualTo(expected);
  }

  @Test
  void unsubscribe_returnsTrue_laterSendsCountZero_andASecondUnsubscribeIsHandleNotFound() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Events.SubscriptionId id = process.call(new Events.Subscribe("news"));
              boolean unsubscribed = process.call(new Events.Unsubscribe(id));
              int delivered = process.call(new Events.Send("news", "late"));
              try {
                process.call(new Events.Unsubscribe(id));
                return "second unsubscribe succeeded";
              } catch (HandleNotFoundException expected) {
                return List.of(
                    unsubscribed, delivered, expected.kind(), expected.id() == id.value());
              }
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(true, 0, "event subscription", true));
    assertThat(module.subscriptionCount()).isZero();
  }

  @Test
  void stepProcess_unsubscribeOfAnUnknownId_completesWithHandleNotFound() {
    Event.Completion completion =
        node.yieldFromStep(new Events.Unsubscribe(new Events.SubscriptionId(424_242)));

    assertThat(completion.error()).isInstanceOf(HandleNotFoundException.class);
  }

  @Test
  void subscription_endsWithItsProcess_soALaterSendCountsZeroWithoutError() {
    ProcessResult subscriber =
        node.runCoroutine(
            (process, input) -> process.call(new Events.Subscribe("weather.**")), null);
    assertThat(subscriber.value()).isInstanceOf(Events.SubscriptionId.class);

    awaitCondition("the subscription to end", () -> module.subscriptionCount() == 0);
    assertThat(node.callInCoroutine(new Events.Send("weather.today", "rain"))).isZero();
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void terminatingASubscriber_endsItsSubscriptions() {
    TestNode.Started subscriber =
        node.startCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("jobs.*"));
              process.call(new Events.Subscribe("jobs.done"));
              return process.receive("never");
            },
            null);
    awaitCondition("both subscriptions", () -> module.subscriptionCount() == 2);

    node.scheduler().terminate(subscriber.pid());

    assertThat(subscriber.await().error()).isNotNull();
    awaitCondition("the subscriptions to end", () -> module.subscriptionCount() == 0);
    assertThat(bus.stats().subscriptions()).isZero();
    assertThat(node.callInCoroutine(new Events.Send("jobs.done", "x"))).isZero();
  }

  @Test
  void anotherProcessesSubscriptionId_isHandleNotFound_andTheSubscriptionSurvives() {
    CompletableFuture<Events.SubscriptionId> ownersId = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              ownersId.complete(process.call(new Events.Subscribe("private")));
              return process.receive("private").payload();
            },
            null);
    Events.SubscriptionId id = ownersId.orTimeout(10, TimeUnit.SECONDS).join();

    assertThatThrownBy(() -> node.callInCoroutine(new Events.Unsubscribe(id)))
        .isInstanceOf(HandleNotFoundException.class)
        .hasMessageContaining("event subscription " + id.value());
    Event.Completion fromStep = node.yieldFromStep(new Events.Unsubscribe(id));
    assertThat(fromStep.error()).isInstanceOf(HandleNotFoundException.class);

    assertThat(node.callInCoroutine(new Events.Send("private", "still here"))).isEqualTo(1);
    assertThat(owner.await().value()).isEqualTo("still here");
  }

  @Test
  void aFullMailbox_dropsThatDeliveryOnly_countsIt_andOthersAndThePublisherCarryOn()
      throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    TestNode.Started stuck =
        node.startCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("alerts.*"));
              release.await(); // not reading its mailbox, which fills up
              return process.receive("alerts.fire").payload();
            },
            null);
    TestNode.Started healthy = node.startStep(new SubscribeAndReceive("alerts.**", 1), null);
    awaitCondition("both subscriptions", () -> module.subscriptionCount() == 2);
    Pid stuckPid = stuck.pid();
    int filled = 0;
    try {
      while (filled < 1_000_000) {
        node.scheduler().send(stuckPid, "filler", filled);
        filled++;
      }
    } catch (MailboxFullException full) {
      // the mailbox is at capacity
    }

    int delivered = node.callInCoroutine(new Events.Send("alerts.fire", "smoke"));

    assertThat(delivered).isEqualTo(1);
    assertThat(bus.stats().droppedMailboxFull()).isEqualTo(1);
    assertThat(onlyMessage(healthy.await()).payload()).isEqualTo("smoke");
    node.scheduler().terminate(stuckPid);
    release.countDown();
    assertThat(stuck.await().error()).isNotNull();
    assertThat(filled).isPositive();
  }

  @Test
  void subscribe_fromACallerThatIsNotAProcess_failsWithNotAProcess() {
    AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
    new CommandRouter(node.services().require(Registry.KEY))
        .route(
            CommandContext.of("a test", node.services(), new CancellationSignal()),
            new Events.Subscribe("x"),
            1,
            (tag, result, failure) -> error.set(failure));

    assertThat(error.get())
        .isInstanceOf(NotAProcessException.class)
        .hasMessageContaining("event.Subscribe");
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void send_fromACallerThatIsNotAProcess_isDelivered_withNoSender() {
    AtomicReference<@Nullable Object> count = new AtomicReference<>();
    TestNode.Started subscriber = node.startStep(new SubscribeAndReceive("x", 1), null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    new CommandRouter(node.services().require(Registry.KEY))
        .route(
            CommandContext.of("a test", node.services(), new CancellationSignal()),
            new Events.Send("x", "from outside"),
            1,
            (tag, result, failure) -> count.set(result));

    assertThat(count.get()).isEqualTo(1);
    assertThat(subscriber.await().value())
        .isEqualTo(List.of(new Message("x", "from outside", null)));
  }

  @Test
  void javaListeners_receiveEvents_andAThrowingListenerIsCountedWithoutFailingOthers() {
    List<Message> received = new ArrayList<>();
    EventBus.Subscription failing =
        bus.subscribe(
            "orders.*",
            message -> {
              throw new IllegalStateException("listener bug");
            });
    EventBus.Subscription good = bus.subscribe("orders.created", received::add);

    int delivered = bus.publish("orders.created", "o-1", null);

    assertThat(delivered).isEqualTo(1);
    assertThat(received).containsExactly(new Message("orders.created", "o-1", null));
    assertThat(failing.dropped()).isEqualTo(1);
    assertThat(bus.stats().listenerFailures()).isEqualTo(1);

    assertThat(good.cancel()).isTrue();
    assertThat(good.cancel()).isFalse();
    assertThat(bus.publish("orders.created", "o-2", null)).isZero();
    assertThat(received).hasSize(1);
    assertThat(failing.cancel()).isTrue();
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void oneProcessWithTwoMatchingSubscriptions_receivesTheEventOncePerSubscription() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("a.b"));
              process.call(new Events.Subscribe("a.*"));
              int delivered = process.call(new Events.Send("a.b", 1));
              return List.of(delivered, process.receive().topic(), process.receive().topic());
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(2, "a.b", "a.b"));
  }

  @Test
  void
      deliveredOn_aWildcardSubscriberSelectsItsEventsByTheDeliveryTopic_withThePublishedTopicKept() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(new Events.Subscribe("orders.**").deliveredOn("orders"));
              process
                  .services()
                  .require(dev.baton.process.Scheduler.KEY)
                  .send(process.pid(), "unrelated", "noise");
              process.call(new Events.Send("orders.eu.created", "o-1"));
              process.call(new Events.Send("orders.us.paid", "o-2"));
              Message first = process.receive("orders");
              Message second = process.receive("orders");
              return List.of(process.pid(), first, second, process.receive().topic());
            },
            null);

    assertThat(result.error()).isNull();
    List<?> values = (List<?>) java.util.Objects.requireNonNull(result.value(), "value");
    Pid pid = (Pid) values.get(0);
    assertThat(List.<Object>copyOf(values.subList(1, 4)))
        .containsExactly(
            new Message("orders", new Events.Event("orders.eu.created", "o-1"), pid),
            new Message("orders", new Events.Event("orders.us.paid", "o-2"), pid),
            "unrelated");
  }

  @Test
  void withoutADeliveryTopic_eventsArriveOnThePublishedTopic_stepProcess() {
    TestNode.Started subscriber = node.startStep(new SubscribeAndReceive("orders.**", 1), null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    bus.publish("orders.eu.created", "o-1", null);

    assertThat(onlyMessage(subscriber.await()))
        .isEqualTo(new Message("orders.eu.created", "o-1", null));
  }

  @Test
  void subscribe_rejectsAnInvalidDeliveryTopic_namingIt() {
    assertThatThrownBy(() -> new Events.Subscribe("a.*").deliveredOn("a.*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concrete");
    assertThatThrownBy(() -> new Events.Subscribe("a.*", "@exit"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void stepProcess_send_completesWithTheDeliveryCount() {
    TestNode.Started subscriber = node.startStep(new SubscribeAndReceive("jobs.*", 1), null);
    awaitCondition("the subscription", () -> bus.stats().subscriptions() == 1);

    Event.Completion completion = node.yieldFromStep(new Events.Send("jobs.done", "j-1"));

    assertThat(completion.error()).isNull();
    assertThat(completion.result()).isEqualTo(1);
    Message received = onlyMessage(subscriber.await());
    assertThat(received.payload()).isEqualTo("j-1");
    assertThat(received.sender()).as("the step process that sent it").isNotNull();
  }

  @Test
  void stepProcess_unsubscribe_completesWithTrue_andEndsTheSubscription() {
    ProcessResult result = node.runStep(new SubscribeThenUnsubscribe("news.*"), null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(true);
    assertThat(module.subscriptionCount()).isZero();
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void unsubscribe_fromACallerThatIsNotAProcess_failsWithNotAProcess() {
    AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
    new CommandRouter(node.services().require(Registry.KEY))
        .route(
            CommandContext.of("a test", node.services(), new CancellationSignal()),
            new Events.Unsubscribe(new Events.SubscriptionId(1)),
            1,
            (tag, result, failure) -> error.set(failure));

    assertThat(error.get())
        .isInstanceOf(NotAProcessException.class)
        .hasMessageContaining("event.Unsubscribe");
  }

  private static Message onlyMessage(ProcessResult result) {
    assertThat(result.error()).isNull();
    List<?> messages = (List<?>) java.util.Objects.requireNonNull(result.value(), "value");
    assertThat(messages).hasSize(1);
    return (Message) messages.getFirst();
  }

  /** Subscribes, unsubscribes, and ends with the unsubscribe's result (or throws its error). */
  private static final class SubscribeThenUnsubscribe implements StepProcess {
    private final String pattern;
    private boolean subscribed;

    SubscribeThenUnsubscribe(String pattern) {
      this.pattern = pattern;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          if (completion.error() != null) {
            throw new IllegalStateException("command failed", completion.error());
          }
          if (completion.result() instanceof Events.SubscriptionId id) {
            out.yield(new Events.Unsubscribe(id));
            return;
          }
          out.done(completion.result());
          return;
        }
      }
      if (!subscribed) {
        subscribed = true;
        out.yield(new Events.Subscribe(pattern));
      } else {
        out.waitForYields();
      }
    }
  }

  /** Subscribes to a pattern, then ends with the first {@code count} messages it receives. */
  private static final class SubscribeAndReceive implements StepProcess {
    private final String pattern;
    private final int count;
    private final List<Message> received = new ArrayList<>();
    private boolean subscribed;

    SubscribeAndReceive(String pattern, int count) {
      this.pattern = pattern;
      this.count = count;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion && completion.error() != null) {
          throw new IllegalStateException("subscribe failed", completion.error());
        }
        if (event instanceof Message message) {
          received.add(message);
        }
      }
      if (received.size() >= count) {
        out.done(List.copyOf(received));
      } else if (!subscribed) {
        subscribed = true;
        out.yield(new Events.Subscribe(pattern));
      } else {
        out.idle();
      }
    }
  }
}
