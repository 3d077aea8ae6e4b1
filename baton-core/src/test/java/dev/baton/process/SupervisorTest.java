package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SupervisorTest {
  private static final Supervisor.Policy POLICY =
      new Supervisor.Policy(
          3, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMillis(250));

  /** An obedient child (see {@link TestProcesses#obedient()}) that counts its starts. */
  private static ChildSpec child(String id, ChildSpec.Restart restart, AtomicInteger starts) {
    return ChildSpec.step(
        id,
        () -> {
          starts.incrementAndGet();
          return TestProcesses.obedient();
        },
        restart);
  }

  private static Pid current(Harness harness, String id) {
    Harness.await(() -> harness.scheduler.whereis(id).isPresent(), "child " + id + " running");
    return harness.scheduler.whereis(id).orElseThrow();
  }

  @Test
  void aFailedPermanentChild_isRestartedAfterItsBackoff_underTheSameName() throws Exception {
    try (Harness harness = new Harness(2)) {
      AtomicInteger starts = new AtomicInteger();
      Supervisor.start(
          harness.scheduler,
          "sup",
          POLICY,
          List.of(child("worker", ChildSpec.Restart.PERMANENT, starts)));
      Pid first = current(harness, "worker");

      harness.scheduler.send(first, "fail", null);
      harness.result(first);
      Harness.await(() -> harness.time.pendingTasks() == 1, "the restart timer");
      harness.time.advance(Duration.ofMillis(99));
      assertThat(harness.scheduler.whereis("worker")).isEmpty();
      harness.time.advance(Duration.ofMillis(1));

      Pid second = current(harness, "worker");
      assertThat(second).isNotEqualTo(first);
      assertThat(starts).hasValue(2);
    }
  }

  @Test
  void aTransientChild_isRestartedOnlyAfterAFailure() throws Exception {
    try (Harness harness = new Harness(2)) {
      AtomicInteger starts = new AtomicInteger();
      Pid supervisor =
          Supervisor.start(
              harness.scheduler,
              "sup",
              POLICY,
              List.of(child("job", ChildSpec.Restart.TRANSIENT, starts)));
      Pid first = current(harness, "job");
      harness.scheduler.send(first, "fail", null);
      harness.result(first);
      Harness.await(() -> harness.time.pendingTasks() == 1, "the restart timer");
      harness.time.advance(Duration.ofMillis(100));
      Pid second = current(harness, "job");

      harness.scheduler.send(second, "stop", null);
      harness.result(second);
      harness.time.advance(Duration.ofSeconds(1));

      assertThat(harness.scheduler.whereis("job")).isEmpty();
      assertThat(starts).hasValue(2);
      assertThat(harness.scheduler.isAlive(supervisor)).isTrue();
    }
  }

  @Test
  void aTemporaryChild_isNeverRestarted() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicInteger starts = new AtomicInteger();
      Supervisor.start(
          harness.scheduler,
          "sup",
          POLICY,
          List.of(child("once", ChildSpec.Restart.TEMPORARY, starts)));
      Pid only = current(harness, "once");

      harness.scheduler.send(only, "fail", null);
      harness.result(only);
      harness.time.advance(Duration.ofSeconds(1));

      assertThat(harness.time.pendingTasks()).isZero();
      assertThat(harness.scheduler.whereis("once")).isEmpty();
      assertThat(starts).hasValue(1);
    }
  }

  @Test
  void backoff_doublesWithEachRestartOfAChild_upToItsCap() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicInteger starts = new AtomicInteger();
      Supervisor.start(
          harness.scheduler,
          "sup",
          new Supervisor.Policy(
              10, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofMillis(250)),
          List.of(child("flaky", ChildSpec.Restart.PERMANENT, starts)));

      for (long expectedDelay : new long[] {100, 200, 250, 250}) {
        Pid instance = current(harness, "flaky");
        harness.scheduler.send(instance, "fail", null);
        harness.result(instance);
        Harness.await(() -> harness.time.pendingTasks() == 1, "the restart timer");
        harness.time.advance(Duration.ofMillis(expectedDelay - 1));
        assertThat(harness.scheduler.whereis("flaky")).as("before %d ms", expectedDelay).isEmpty();
        harness.time.advance(Duration.ofMillis(1));
      }

      current(harness, "flaky");
      assertThat(starts).hasValue(5);
    }
  }

  @Test
  void tooManyRestartsInTheWindow_makeTheSupervisorGiveUp_andTakeItsChildrenDown()
      throws Exception {
    try (Harness harness = new Harness(2)) {
      AtomicInteger flakyStarts = new AtomicInteger();
      AtomicInteger steadyStarts = new AtomicInteger();
      Pid supervisor =
          Supervisor.start(
              harness.scheduler,
              "sup",
              POLICY,
              List.of(
                  child("flaky", ChildSpec.Restart.PERMANENT, flakyStarts),
                  child("steady", ChildSpec.Restart.PERMANENT, steadyStarts)));
      Pid steady = current(harness, "steady");

      for (int failure = 1; failure <= 4; failure++) {
        Pid instance = current(harness, "flaky");
        harness.scheduler.send(instance, "fail", null);
        harness.result(instance);
        if (failure < 4) {
          Harness.await(() -> harness.time.pendingTasks() == 1, "the restart timer");
          harness.time.advance(Duration.ofMillis(250));
        }
      }

      assertThat(harness.result(supervisor).error())
          .isInstanceOf(SupervisorGaveUpException.class)
          .hasMessageContaining("'flaky'")
          .hasMessageContaining("more than 3 restarts");
      assertThat(harness.result(steady).error()).isInstanceOf(ProcessTerminatedException.class);
      assertThat(flakyStarts).hasValue(4);
    }
  }

  @Test
  void aSupervisorUnderASupervisor_restartsItsOwnChildren() throws Exception {
    try (Harness harness = new Harness(2)) {
      AtomicInteger starts = new AtomicInteger();
      Supervisor.start(
          harness.scheduler,
          "root",
          POLICY,
          List.of(
              Supervisor.child(
                  "branch",
                  ChildSpec.Restart.PERMANENT,
                  POLICY,
                  List.of(child("leaf", ChildSpec.Restart.PERMANENT, starts)))));
      Pid branch = current(harness, "branch");
      Pid leaf = current(harness, "leaf");

      harness.scheduler.send(leaf, "fail", null);
      harness.result(leaf);
      Harness.await(() -> harness.time.pendingTasks() == 1, "the leaf's restart timer");
      harness.time.advance(Duration.ofMillis(100));

      assertThat(current(harness, "leaf")).isNotEqualTo(leaf);
      assertThat(harness.scheduler.whereis("branch")).contains(branch);
      assertThat(starts).hasValue(2);
    }
  }

  @Test
  void cancellingTheSupervisor_stopsItsChildren_andEndsItNormally() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicInteger starts = new AtomicInteger();
      Pid supervisor =
          Supervisor.start(
              harness.scheduler,
              "sup",
              POLICY,
              List.of(child("worker", ChildSpec.Restart.PERMANENT, starts)));
      Pid worker = current(harness, "worker");

      harness.scheduler.cancel(supervisor, "shutting down");

      assertThat(harness.result(supervisor)).isEqualTo(ProcessResult.normal("stopped"));
      assertThat(harness.result(worker).error()).isInstanceOf(ProcessTerminatedException.class);
      assertThat(harness.scheduler.whereis("worker")).isEqualTo(Optional.empty());
    }
  }
}
