package dev.baton.process;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {

  private static ExitSignal signalOf(Event event) {
    return (ExitSignal) requireNonNull(((Message) event).payload(), "an exit message has a signal");
  }

  @Test
  void aMonitor_hearsOfANormalEnd_andOfAFailure_withTheResult() throws Exception {
    try (Harness harness = new Harness(2)) {
      TestProcesses.Recorder watcher = new TestProcesses.Recorder();
      Pid watcherPid = harness.scheduler.spawn(watcher);
      Pid normal = harness.scheduler.spawn(TestProcesses.obedient());
      Pid failing = harness.scheduler.spawn(TestProcesses.obedient());
      harness.scheduler.monitor(watcherPid, normal);
      harness.scheduler.monitor(watcherPid, failing);

      harness.scheduler.send(normal, "stop", null);
      harness.scheduler.send(failing, "fail", null);
      harness.result(normal);
      harness.result(failing);
      Harness.await(() -> watcher.seen.size() == 2, "two exit messages");

      assertThat(watcher.seen)
          .map(event -> (Message) event)
          .allSatisfy(message -> assertThat(message.topic()).isEqualTo(Message.EXIT_TOPIC))
          .extracting(message -> signalOf(message).pid())
          .containsExactlyInAnyOrder(normal, failing);
      ExitSignal failure =
          watcher.seen.stream()
              .map(TopologyTest::signalOf)
              .filter(signal -> signal.pid().equals(failing))
              .findFirst()
              .orElseThrow();
      assertThat(failure.result().error()).hasMessage("told to fail");
    }
  }

  @Test
  void demonitor_stopsTheNotification() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.Recorder watcher = new TestProcesses.Recorder();
      Pid watcherPid = harness.scheduler.spawn(watcher);
      Pid target = harness.scheduler.spawn(TestProcesses.obedient());
      harness.scheduler.monitor(watcherPid, target);

      assertThat(harness.scheduler.demonitor(watcherPid, target)).isTrue();
      harness.scheduler.send(target, "stop", null);
      harness.result(target);
      harness.scheduler.send(watcherPid, "marker", null);
      Harness.await(() -> !watcher.seen.isEmpty(), "the marker");

      assertThat(watcher.seen).extracting(e -> ((Message) e).topic()).containsExactly("marker");
    }
  }

  @Test
  void aLinkedFailure_terminatesTheOtherSide_butANormalEndDoesNot() throws Exception {
    try (Harness harness = new Harness(2)) {
      Pid survivor = harness.scheduler.spawn(TestProcesses.obedient());
      Pid normal = harness.scheduler.spawn(TestProcesses.obedient());
      Pid victim = harness.scheduler.spawn(TestProcesses.obedient());
      Pid failing = harness.scheduler.spawn(TestProcesses.obedient());
      harness.scheduler.link(survivor, normal);
      harness.scheduler.link(victim, failing);

      harness.scheduler.send(normal, "stop", null);
      harness.scheduler.send(failing, "fail", null);

      assertThat(harness.result(victim).error())
          .isInstanceOf(ProcessTerminatedException.class)
          .hasMessageContaining("linked process " + failing + " failed");
      harness.result(normal);
      assertThat(harness.scheduler.isAlive(survivor)).isTrue();
    }
  }

  @Test
  void aProcessTrappingLinks_receivesTheFailureAsAMessage() throws Exception {
    try (Harness harness = new Harness(2)) {
      TestProcesses.Recorder trapper = new TestProcesses.Recorder();
      Pid trapperPid = harness.scheduler.spawn(trapper);
      harness.scheduler.trapLinks(trapperPid, true);
      Pid failing =
          harness.scheduler.spawn(
              TestProcesses.obedient(), null, SpawnOptions.NONE.linkedTo(trapperPid));

      harness.scheduler.send(failing, "fail", null);
      Harness.await(() -> !trapper.seen.isEmpty(), "the link-down message");

      Message message = (Message) trapper.seen.getFirst();
      assertThat(message.topic()).isEqualTo(Message.LINK_DOWN_TOPIC);
      assertThat(message.sender()).isEqualTo(failing);
      assertThat(harness.scheduler.isAlive(trapperPid)).isTrue();
    }
  }

  @Test
  void spawnLinkedAndMonitored_wiresTheChildBeforeItsFirstStep() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.Recorder parent = new TestProcesses.Recorder();
      Pid parentPid = harness.scheduler.spawn(parent);
      harness.scheduler.trapLinks(parentPid, true);

      // The child fails in its very first step: the parent must still hear of it twice.
      Pid child =
          harness.scheduler.spawn(
              (events, out) -> {
                throw new IllegalStateException("born broken");
              },
              null,
              SpawnOptions.NONE.linkedTo(parentPid).monitoredBy(parentPid));
      harness.result(child);
      Harness.await(() -> parent.seen.size() == 2, "exit and link-down");

      assertThat(parent.seen)
          .extracting(e -> ((Message) e).topic())
          .containsExactlyInAnyOrder(Message.EXIT_TOPIC, Message.LINK_DOWN_TOPIC);
    }
  }

  @Test
  void names_areUnique_findTheirProcess_andAreFreedWhenItEnds() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid registry =
          harness.scheduler.spawn(
              TestProcesses.obedient(), null, SpawnOptions.NONE.named("registry"));

      assertThat(harness.scheduler.whereis("registry")).contains(registry);
      assertThatThrownBy(
              () ->
                  harness.scheduler.spawn(
                      TestProcesses.obedient(), null, SpawnOptions.NONE.named("registry")))
          .isInstanceOf(NameTakenException.class)
          .hasMessageContaining(registry.toString());
      assertThat(harness.scheduler.processes()).hasSize(1);

      harness.scheduler.send(registry, "stop", null);
      harness.result(registry);

      assertThat(harness.scheduler.whereis("registry")).isEmpty();
      Pid again =
          harness.scheduler.spawn(
              TestProcesses.obedient(), null, SpawnOptions.NONE.named("registry"));
      assertThat(harness.scheduler.whereis("registry")).contains(again);
    }
  }

  @Test
  void monitorOrLink_withAnEndedProcess_failsWithProcessNotFound() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid live = harness.scheduler.spawn(TestProcesses.obedient());
      Pid ended = harness.scheduler.spawn(TestProcesses.obedient());
      harness.scheduler.send(ended, "stop", null);
      harness.result(ended);

      assertThatThrownBy(() -> harness.scheduler.monitor(live, ended))
          .isInstanceOf(ProcessNotFoundException.class);
      assertThatThrownBy(() -> harness.scheduler.link(live, ended))
          .isInstanceOf(ProcessNotFoundException.class);
      assertThat(List.of(harness.scheduler.unlink(live, ended))).containsExactly(false);
    }
  }
}
