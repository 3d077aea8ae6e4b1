package dev.baton.tasks.memory;

import static dev.baton.tasks.memory.TestTasks.WAIT;
import static dev.baton.tasks.memory.TestTasks.decode;
import static dev.baton.tasks.memory.TestTasks.failsClosed;
import static dev.baton.tasks.memory.TestTasks.succeeds;
import static dev.baton.tasks.memory.TestTasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.memory.TestTasks.Inbox;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySharedQueueBrokerTest {
  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemorySharedQueueBroker broker =
      new InMemorySharedQueueBroker(time, "all", Duration.ofSeconds(10), Duration.ofSeconds(30));

  @AfterEach
  void close() {
    broker.close();
  }

  @Test
  void everyName_andEveryRoutedQueue_arriveOnTheOneSharedQueue_inOrder()
      throws InterruptedException {
    broker.declare("a");
    broker.declare("b");
    succeeds(broker.send(task("a", "1")));
    succeeds(broker.send(task("b", "1")));
    succeeds(
        broker.send(
            task("c", "1", TaskOptions.builder().queue("elsewhere").build(), Instant.EPOCH)));
    succeeds(broker.send(task("a", "2")));
    Inbox inbox = new Inbox();
    broker.subscribe(10, inbox);
    assertThat(broker.awaitIdle(WAIT)).isTrue();

    List<Delivery> deliveries = inbox.drain();
    assertThat(deliveries)
        .extracting(delivery -> decode(delivery).key())
        .containsExactly(
            new TaskKey("a", "1"),
            new TaskKey("b", "1"),
            new TaskKey("c", "1"),
            new TaskKey("a", "2"));
    assertThat(deliveries).allSatisfy(delivery -> assertThat(delivery.queue()).isEqualTo("all"));
    assertThat(broker.queueName()).isEqualTo("all");
    assertThat(broker.queues()).containsExactly(new QueueStats("all", 0, 0, 4, 0));
  }

  @Test
  void aReleasedUnknownName_comesBackForOtherWorkers_withAHigherCount_thenDeadLetters()
      throws InterruptedException {
    succeeds(broker.send(task("unknown", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe(1, inbox);

    Delivery delivery = inbox.next();
    for (int count = 1; count < 3; count++) {
      assertThat(delivery.deliveryCount()).isEqualTo(count);
      succeeds(delivery.release());
      delivery = inbox.next();
    }
    assertThat(delivery.deliveryCount()).isEqualTo(3);
    succeeds(delivery.deadLetter(new TaskError(ErrorCode.UNKNOWN_TASK, "no worker serves it")));

    assertThat(broker.deadLetters(10))
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.queue()).isEqualTo("all");
              assertThat(letter.key()).isEqualTo(new TaskKey("unknown", "1"));
              assertThat(letter.error().code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
            });
    assertThat(broker.queues()).containsExactly(new QueueStats("all", 0, 0, 0, 1));
  }

  @Test
  void rawBytes_andRequeues_goToTheSharedQueue() throws InterruptedException {
    broker.injectRaw("ignored-name", new byte[] {1, 2, 3});
    broker.injectRaw(new byte[] {4});
    succeeds(broker.send(task("a", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe(10, inbox);

    assertThat(inbox.next().body()).containsExactly(1, 2, 3);
    assertThat(inbox.next().body()).containsExactly(4);
    Delivery task = inbox.next();
    succeeds(task.requeue(decode(task).nextAttempt(time.now())));
    Delivery retried = inbox.next();
    assertThat(retried.queue()).isEqualTo("all");
    assertThat(decode(retried).attempt()).isEqualTo(2);
  }

  @Test
  void close_failsLaterSends() {
    broker.close();

    failsClosed(broker.send(task("a", "1")), "broker is closed");
  }
}
