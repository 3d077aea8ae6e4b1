package dev.baton.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.time.ManualTimeSource;
import java.net.URI;
import org.junit.jupiter.api.Test;

class RemoteTasksTest {

  @Test
  void redact_hidesThePasswordAndKeepsTheRest() {
    assertThat(RemoteTasks.redact(URI.create("amqp://guest:guest@127.0.0.1:5672/%2F")))
        .isEqualTo("amqp://guest:***@127.0.0.1:5672/%2F");
    assertThat(RemoteTasks.redact(URI.create("redis://:p%40ss@127.0.0.1:6379")))
        .isEqualTo("redis://:***@127.0.0.1:6379");
    assertThat(RemoteTasks.redact(URI.create("redis://127.0.0.1:6379")))
        .isEqualTo("redis://127.0.0.1:6379");
  }

  @Test
  void aUriOfNoKnownScheme_isRefusedBeforeConnecting_withoutItsPassword() {
    ManualTimeSource time = new ManualTimeSource();
    assertThatThrownBy(
            () -> RemoteTasks.connectBroker(URI.create("http://u:secret@127.0.0.1:1/"), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("\"http://u:***@127.0.0.1:1/\" is not a broker or backend URI")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RemoteTasks.connectBackend(URI.create("localhost:6379"), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use redis://host:port");
  }
}
