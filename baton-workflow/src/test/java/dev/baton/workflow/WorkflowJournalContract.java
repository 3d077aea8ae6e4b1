package dev.baton.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.workflow.spi.Failure;
import dev.baton.workflow.spi.JournalConflictException;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import dev.baton.workflow.spi.WorkflowStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link WorkflowJournal} must do; each store's test extends this. */
abstract class WorkflowJournalContract {
  private static final Payload INPUT = new Payload("java.lang.String", "\"in\"");

  WorkflowJournal journal;

  /** A fresh, empty journal. */
  abstract WorkflowJournal newJournal() throws Exception;

  @BeforeEach
  void open() throws Exception {
    journal = newJournal();
  }

  @AfterEach
  void closeJournal() throws Exception {
    journal.close();
  }

  private static JournalEntry value(int seq, String json) {
    return new JournalEntry(seq, "k", "n" + seq, new Payload("java.lang.Integer", json), null);
  }

  @Test
  void createdWorkflowIsRunningWithItsInputAndAnEmptyJournal() {
    assertThat(journal.create("w1", "order", INPUT)).isTrue();

    WorkflowRecord record = journal.find("w1").orElseThrow();
    assertThat(record)
        .isEqualTo(new WorkflowRecord("w1", "order", INPUT, WorkflowStatus.RUNNING, null, null));
    assertThat(journal.entries("w1")).isEmpty();
    assertThat(journal.find("nobody")).isEmpty();
  }

  @Test
  void creatingAnExistingIdReturnsFalseAndKeepsTheFirst() {
    journal.create("w1", "order", INPUT);

    assertThat(journal.create("w1", "other", Payload.NULL)).isFalse();
    assertThat(journal.find("w1").orElseThrow().type()).isEqualTo("order");
  }

  @Test
  void entriesComeBackInOrderWithValuesAndFailures() {
    journal.create("w1", "order", INPUT);
    JournalEntry failed = new JournalEntry(1, "k", "boom", null, new Failure("x.Boom", "it broke"));
    journal.append("w1", value(0, "7"));
    journal.append("w1", failed);
    journal.append("w1", new JournalEntry(2, "k", "", Payload.NULL, null));

    assertThat(journal.entries("w1"))
        .containsExactly(value(0, "7"), failed, new JournalEntry(2, "k", "", Payload.NULL, null));
  }

  @Test
  void failureWhoseMessageHasANulCharacterIsJournaled() {
    journal.create("w1", "order", INPUT);
    Failure failure = Failure.of(new IllegalStateException("bad\u0000byte"));
    JournalEntry entry = new JournalEntry(0, "k", "n", null, failure);

    journal.append("w1", entry);
    journal.fail("w1", failure);

    assertThat(journal.entries("w1")).containsExactly(entry);
    assertThat(failure.message()).isEqualTo("bad\uFFFDbyte");
    assertThat(journal.find("w1").orElseThrow().failure()).isEqualTo(failure);
  }

  @Test
  void appendThatIsNotNextIsAConflict() {
    journal.create("w1", "order", INPUT);
    journal.append("w1", value(0, "1"));

    assertThatThrownBy(() -> journal.append("w1", value(0, "2")))
        .isInstanceOf(JournalConflictException.class);
    assertThatThrownBy(() -> journal.append("w1", value(2, "2")))
        .isInstanceOf(JournalConflictException.class);
    assertThat(journal.entries("w1")).containsExactly(value(0, "1"));
  }

  @Test
  void appendToUnknownOrFinishedWorkflowIsAConflict() {
    assertThatThrownBy(() -> journal.append("nobody", value(0, "1")))
        .isInstanceOf(JournalConflictException.class);
    journal.create("w1", "order", INPUT);
    journal.complete("w1", new Payload("java.lang.Integer", "3"));

    assertThatThrownBy(() -> journal.append("w1", value(0, "1")))
        .isInstanceOf(JournalConflictException.class);
  }

  @Test
  void racingAppendsOfTheSameSeqLetExactlyOneWin() throws Exception {
    journal.create("w1", "order", INPUT);
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> winners = new ConcurrentLinkedQueue<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
      List<Future<?>> runs =
          java.util.stream.IntStream.range(0, racers)
              .<Future<?>>mapToObj(
                  i ->
                      pool.submit(
                          () -> {
                            go.await();
                            try {
                              journal.append("w1", value(0, Integer.toString(i)));
                              winners.add(Integer.toString(i));
                            } catch (JournalConflictException expected) {
                              // lost the race
                            }
                            return null;
                          }))
              .toList();
      go.countDown();
      for (Future<?> run : runs) {
        run.get();
      }
    }

    assertThat(winners).hasSize(1);
    assertThat(journal.entries("w1")).containsExactly(value(0, winners.peek()));
  }

  @Test
  void completedAndFailedWorkflowsLeaveTheUnfinishedList() {
    journal.create("a", "order", INPUT);
    journal.create("b", "order", INPUT);
    journal.create("c", "order", INPUT);
    Payload result = new Payload("java.lang.String", "\"done\"");
    Failure failure = new Failure("java.lang.IllegalStateException", "bad");

    journal.complete("a", result);
    journal.fail("b", failure);

    assertThat(journal.unfinished()).extracting(WorkflowRecord::id).containsExactly("c");
    assertThat(journal.find("a").orElseThrow().result()).isEqualTo(result);
    assertThat(journal.find("a").orElseThrow().status()).isEqualTo(WorkflowStatus.COMPLETED);
    assertThat(journal.find("b").orElseThrow().failure()).isEqualTo(failure);
    assertThat(journal.find("b").orElseThrow().status()).isEqualTo(WorkflowStatus.FAILED);
    assertThatThrownBy(() -> journal.complete("a", result))
        .isInstanceOf(JournalConflictException.class);
    assertThatThrownBy(() -> journal.fail("a", failure))
        .isInstanceOf(JournalConflictException.class);
    assertThatThrownBy(() -> journal.complete("nobody", result))
        .isInstanceOf(JournalConflictException.class);
  }

  @Test
  void unfinishedListsOldestFirst() {
    journal.create("z", "order", INPUT);
    journal.create("a", "order", INPUT);
    journal.create("m", "order", INPUT);

    assertThat(journal.unfinished()).extracting(WorkflowRecord::id).containsExactly("z", "a", "m");
  }

  @Test
  void attributesAreUpsertedAndSearchable() {
    journal.create("w1", "order", INPUT);
    journal.create("w2", "order", INPUT);
    journal.upsertAttributes("w1", Map.of("customer", "c1", "stage", "new"));
    journal.upsertAttributes("w2", Map.of("customer", "c1", "stage", "new"));

    journal.upsertAttributes("w1", Map.of("stage", "paid"));

    assertThat(journal.attributes("w1")).isEqualTo(Map.of("customer", "c1", "stage", "paid"));
    assertThat(journal.findByAttribute("customer", "c1")).containsExactly("w1", "w2");
    assertThat(journal.findByAttribute("stage", "paid")).containsExactly("w1");
    assertThat(journal.findByAttribute("stage", "shipped")).isEmpty();
    assertThat(journal.attributes("nobody")).isEmpty();
    assertThatThrownBy(() -> journal.upsertAttributes("nobody", Map.of("a", "b")))
        .isInstanceOf(JournalConflictException.class);
  }
}
