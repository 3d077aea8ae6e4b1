package dev.baton.modules.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventBusTest {
  private TestNode node;
  private EventBus bus;

  @BeforeEach
  void boot() {
    node = TestNode.builder().component(EventBus.component()).build();
    bus = node.services().require(EventBus.KEY);
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  @Test
  void subscribingAProcessThatHasEnded_failsWithProcessNotFound_andLeavesNoSubscription() {
    ProcessResult ended = node.runCoroutine((process, input) -> process.pid(), null);
    Pid gone = (Pid) java.util.Objects.requireNonNull(ended.value(), "pid");

    assertThatThrownBy(() -> bus.subscribe("news.*", gone))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThatThrownBy(() -> bus.subscribe("news.*", gone, "news"))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void aSubscriberProcessThatEnded_dropsTheDeliveryAndItsSubscription_withoutFailingThePublisher() {
    TestNode.Started subscriber =
        node.startCoroutine((process, input) -> process.receive("go").payload(), null);
    Pid gone = subscriber.pid();
    EventBus.Subscription subscription = bus.subscribe("news.*", gone);
    node.scheduler().send(gone, "go", "bye");
    assertThat(subscriber.await().value()).isEqualTo("bye");

    assertThat(bus.publish("news.today", "x", null)).isZero();

    assertThat(subscription.isActive()).isFalse();
    assertThat(bus.stats().droppedSubscriberGone()).isEqualTo(1);
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void publishingWhileOthersSubscribeAndCancel_neverFails_andASteadySubscriberSeesEveryEvent()
      throws Exception {
    AtomicLong steady = new AtomicLong();
    EventBus.Subscription steadySubscription =
        bus.subscribe("load.**", m -> steady.incrementAndGet());
    int publishers = 4;
    int eventsEach = 20_000;
    CompletableFuture<Void> stop = new CompletableFuture<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(publishers + 2)) {
      List<Future<?>> work = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        String pattern = c == 0 ? "load.*" : "load.a";
        work.add(
            threads.submit(
                () -> {
                  while (!stop.isDone()) {
                    bus.subscribe(pattern, m -> {}).cancel();
                  }
                }));
      }
      List<Future<?>> publishing = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        publishing.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < eventsEach; i++) {
                    bus.publish("load.a", i, null);
                  }
                }));
      }
      for (Future<?> future : publishing) {
        future.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
      }
      stop.complete(null);
      for (Future<?> future : work) {
        future.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
      }
    }

    assertThat(steady.get()).isEqualTo((long) publishers * eventsEach);
    assertThat(bus.stats().published()).isEqualTo((long) publishers * eventsEach);
    assertThat(bus.stats().subscriptions()).isEqualTo(1);
    assertThat(steadySubscription.cancel()).isTrue();
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void aChurnedSubscription_receivesNothingPublishedAfterItsCancelReturned() throws Exception {
    AtomicLong sequence = new AtomicLong();
    AtomicLong violations = new AtomicLong();
    AtomicLong churned = new AtomicLong();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
      List<Future<?>> churners = new ArrayList<>();
      for (String pattern : List.of("churn.*", "churn.a")) {
        churners.add(
            threads.submit(
                () -> {
                  while (!stop.isDone()) {
                    // Events numbered above the cutoff were numbered after cancel() returned, so
                    // their publish started after it: they must not reach this subscription.
                    AtomicLong cutoff = new AtomicLong(Long.MAX_VALUE);
                    EventBus.Subscription subscription =
                        bus.subscribe(
                            pattern,
                            message -> {
                              if ((Long) java.util.Objects.requireNonNull(message.payload())
                                  > cutoff.get()) {
                                violations.incrementAndGet();
                              }
                            });
                    subscription.cancel();
                    cutoff.set(sequence.get());
                    churned.incrementAndGet();
                  }
                }));
      }
      List<Future<?>> publishers = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        publishers.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 50_000; i++) {
                    bus.publish("churn.a", sequence.incrementAndGet(), null);
                  }
                }));
      }
      for (Future<?> future : publishers) {
        future.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
      }
      stop.complete(null);
      for (Future<?> future : churners) {
        future.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
      }
    }

    assertThat(churned.get()).isPositive();
    assertThat(violations.get()).as("deliveries published after cancel() returned").isZero();
    assertThat(bus.stats().subscriptions()).isZero();
  }

  @Test
  void aListenerThatPublishes_deliversItsInnerEventToLaterSubscribersFirst_asDocumented() {
    List<String> second = new ArrayList<>();
    bus.subscribe(
        "outer",
        message -> {
          var _ = bus.publish("inner", "i", null);
        });
    bus.subscribe("*", message -> second.add(message.topic()));

    bus.publish("outer", "o", null);

    assertThat(second).containsExactly("inner", "outer");
  }

  @Test
  void theBusComponent_dropsEverySubscriptionWhenTheNodeStops() {
    EventBus.Subscription subscription = bus.subscribe("a", m -> {});

    node.close();

    assertThat(subscription.isActive()).isFalse();
    assertThat(subscription.cancel()).isFalse();
    assertThat(bus.stats().subscriptions()).isZero();
  }
}
