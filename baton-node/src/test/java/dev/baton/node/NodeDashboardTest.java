package dev.baton.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.modules.clock.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The running node serves its dashboard: the snapshot API and the Prometheus endpoint. */
class NodeDashboardTest {

  record Response(int status, String body) {}

  private static Response get(InetSocketAddress address, String path) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + address.getPort() + path).toURL().openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(10_000);
    try {
      int status = connection.getResponseCode();
      InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
      return new Response(status, body == null ? "" : new String(body.readAllBytes(), UTF_8));
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void theDashboard_startsLast_servesTheSnapshotAndMetrics_andStopsFirst() throws Exception {
    NodeConfig config =
        NodeConfig.builder().name("dash-node").dashboardAddress("127.0.0.1", 0).build();
    InetSocketAddress address;
    try (Node node = Node.start(config)) {
      address = node.dashboardAddress().orElseThrow();
      assertThat(address.getPort()).isPositive();
      CompletableFuture<Void> done = new CompletableFuture<>();
      node.scheduler()
          .spawnCoroutine(
              (p, input) -> {
                p.call(new Clock.Sleep(Duration.ofMillis(1)));
                p.call(new Clock.Sleep(Duration.ofMillis(1)));
                done.complete(null);
                return null;
              });
      done.get(30, TimeUnit.SECONDS);

      Response snapshot = get(address, "/api/snapshot");
      assertThat(snapshot.status()).isEqualTo(200);
      assertThat(snapshot.body())
          .contains("\"node\":\"dash-node\"")
          .contains("\"commandsByModule\":{\"clock\":2}")
          .contains("\"schedulerWorkers\":" + node.scheduler().parallelism());

      Response metrics = get(address, "/metrics");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).contains("baton_dispatch_commands_total{module=\"clock\"} 2.0");
    }
    InetSocketAddress closed = address;
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(closed, "/api/snapshot")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void withMetricsOff_theMetricsEndpointIsAbsent() throws Exception {
    NodeConfig config =
        NodeConfig.builder().dashboardAddress("127.0.0.1", 0).metrics(false).build();
    try (Node node = Node.start(config, List.of())) {
      assertThat(get(node.dashboardAddress().orElseThrow(), "/metrics").status()).isEqualTo(404);
    }
  }
}
