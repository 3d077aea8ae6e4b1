package dev.baton.cloudstorage;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cloudstorage.spi.ObjectStorage;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The behaviour suite on a real S3-compatible server (s3proxy, started here as a child JVM; the
 * tests fail if it cannot start), plus presigned URLs used with {@link HttpClient} and the S3 error
 * mapping. Each test gets a new bucket.
 */
class S3ObjectStorageTest extends ObjectStorageBehaviourTest {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static Path serverDir;
  private static S3ProxyServer server;
  private static HttpClient http;

  @BeforeAll
  static void startServer() throws Exception {
    serverDir = Files.createTempDirectory("baton-s3proxy");
    server = S3ProxyServer.start(serverDir);
    http = HttpClient.newHttpClient();
  }

  // JUnit runs this even when startServer() failed part way.
  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.alive()).as("s3proxy stopped").isFalse();
    }
    if (http != null) {
      http.close();
    }
    if (serverDir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(serverDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  ObjectStorage newStorage(String name) {
    return server.storage(name, "baton-test-" + BUCKETS.incrementAndGet());
  }

  @Override
  List<Path> leftoverTemporaryFiles() {
    return List.of(); // the S3 backend writes no local files
  }

  // ---- presigned URLs ----

  @Test
  void presignedGetUrl_letsAPlainHttpClientReadTheObject() throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "shared/report.txt", "for your eyes"));

    PresignedUrl url =
        call(
            new CloudStorage.PresignedGetUrl(STORAGE, "shared/report.txt", Duration.ofMinutes(10)));

    assertThat(url.method()).isEqualTo("GET");
    assertThat(url.url().toString()).contains("X-Amz-Signature");
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url.url()).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("for your eyes");
  }

  @Test
  void presignedGetUrl_fromAStepProcess_works() throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "step.txt", "stepped"));

    dev.baton.process.Event.Completion completion =
        node.yieldFromStep(
            new CloudStorage.PresignedGetUrl(STORAGE, "step.txt", Duration.ofMinutes(1)));

    PresignedUrl url = (PresignedUrl) java.util.Objects.requireNonNull(completion.result());
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url.url()).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.body()).isEqualTo("stepped");
  }

  @Test
  void presignedPutUrl_letsAPlainHttpClientUpload_withTheSignedContentType() throws Exception {
    PresignedUrl url =
        call(
            new CloudStorage.PresignedPutUrl(
                STORAGE, "inbox/upload.json", Duration.ofMinutes(10), "application/json", -1));
    assertThat(url.signedHeaders()).containsKey("content-type");

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url.url())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"ok\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Downloaded stored = call(new CloudStorage.Download(STORAGE, "inbox/upload.json"));
    assertThat(stored.text()).isEqualTo("{\"ok\":true}");
    assertThat(stored.info().contentType()).isEqualTo("application/json");
  }

  @Test
  void presignedGetUrl_forAnotherKeyThanSigned_isRefused() throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "secret", "no"));
    PresignedUrl url =
        call(new CloudStorage.PresignedGetUrl(STORAGE, "public", Duration.ofMinutes(10)));
    URI tampered = URI.create(url.url().toString().replace("/public?", "/secret?"));

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(tampered).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(403);
  }

  @Test
  void anExpiredPresignedUrl_isRefused() throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "brief", "soon gone"));
    PresignedUrl url =
        call(new CloudStorage.PresignedGetUrl(STORAGE, "brief", Duration.ofSeconds(1)));
    HttpRequest get = HttpRequest.newBuilder(url.url()).GET().build();

    // The server refuses it once its clock passes expiresAt (1 s after signing).
    awaitCondition(
        "the server to refuse the expired URL",
        () -> {
          try {
            return http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode() == 403;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
    HttpResponse<String> refused = http.send(get, HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).containsIgnoringCase("expired");
    // SigV4 dates have whole seconds, so the server may refuse up to 1 s before expiresAt.
    assertThat(java.time.Instant.now()).isAfter(url.expiresAt().minusSeconds(1));
  }

  // ---- cancellation of a real transfer ----

  @Test
  void aYieldDeadline_abortsARunningS3DownloadToAFile_closesTheConnection_andFreesTheTag()
      throws Exception {
    byte[] content = new byte[4 << 20];
    java.util.Arrays.fill(content, (byte) 7);
    call(CloudStorage.Upload.bytes(STORAGE, "large.bin", content));
    String bucket = ((S3ObjectStorage) storage).bucket();
    CloudStorageModule proxied = new CloudStorageModule();
    Path target = work.resolve("large.bin");
    // The proxy forwards 256 KiB of each answer, then stalls: only an abort ends the download.
    try (StallingProxy proxy = StallingProxy.start(server.endpoint(), 256 * 1024);
        TestNode other =
            TestNode.builder()
                .dispatcher(proxied)
                .component(ObjectStorages.component(server.storageAt(proxy.endpoint(), bucket)))
                .build()) {
      dev.baton.process.ProcessResult result =
          other.runCoroutine(
              (process, input) -> {
                try {
                  process.call(
                      new CloudStorage.Download("proxied", "large.bin").toFile(target),
                      Duration.ofMillis(500));
                  return "the download finished";
                } catch (dev.baton.process.YieldTimeoutException expected) {
                  // The tag is free: the process yields again and gets its answer.
                  return process.call(new CloudStorage.Head("proxied", "large.bin")).etag();
                }
              },
              null);

      assertThat(result.error()).isNull();
      assertThat(result.value()).isEqualTo(md5Hex(content));
      assertThat(proxy.forwarded()).as("the download had started").isGreaterThan(0);
      awaitCondition("the download to stop", () -> proxied.runningCalls() == 0);
      awaitCondition("the stalled connection to be closed", () -> proxy.closedByClient() >= 1);
      try (Stream<Path> files = Files.list(work)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(name -> name.contains("large.bin"));
      }
    }
  }

  @Test
  void aYieldDeadline_abortsARunningS3Upload_theServerGetsNoObject_andTheTagIsFreed()
      throws Exception {
    Path big = bigSparseFile();
    String bucket = ((S3ObjectStorage) storage).bucket();
    CloudStorageModule proxied = new CloudStorageModule();
    // The proxy forwards 1 MiB of each request, then stalls: only an abort ends the upload.
    try (StallingProxy proxy = StallingProxy.start(server.endpoint(), 1 << 20, Long.MAX_VALUE);
        TestNode other =
            TestNode.builder()
                .dispatcher(proxied)
                .component(ObjectStorages.component(server.storageAt(proxy.endpoint(), bucket)))
                .build()) {
      dev.baton.process.ProcessResult result =
          other.runCoroutine(
              (process, input) -> {
                try {
                  process.call(
                      CloudStorage.Upload.file("proxied", "stalled.bin", big),
                      Duration.ofMillis(500));
                  return "the upload finished";
                } catch (dev.baton.process.YieldTimeoutException expected) {
                  return "deadline";
                }
              },
              null);

      assertThat(result.value()).isEqualTo("deadline");
      assertThat(proxy.requestBytes()).as("the upload had started").isGreaterThan(0);
      // Blocked in a socket write that nothing else would end for 60 s (the read timeout).
      awaitCondition("the upload to stop", () -> proxied.runningCalls() == 0);
    }
    assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, "stalled.bin")))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  // ---- errors ----

  @Test
  void anUploadOverTheSinglePutLimit_failsWithUploadTooLarge_beforeSendingAnything()
      throws Exception {
    String bucket = ((S3ObjectStorage) storage).bucket();
    S3ObjectStorage limited =
        S3ObjectStorage.builder("limited", bucket)
            .endpoint(server.endpoint())
            .credentials(S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL)
            .pathStyle(true)
            .maxUploadBytes(1000)
            .build();
    Path file = work.resolve("1001.bin");
    Files.write(file, new byte[1001]);
    try (TestNode other =
        TestNode.builder()
            .dispatcher(new CloudStorageModule())
            .component(ObjectStorages.component(limited))
            .build()) {
      for (CloudStorage.Upload upload :
          List.of(
              CloudStorage.Upload.bytes("limited", "big", new byte[1001]),
              CloudStorage.Upload.file("limited", "big", file))) {
        assertThatThrownBy(() -> other.callInCoroutine(upload))
            .isInstanceOf(UploadTooLargeException.class)
            .hasMessageContaining("1001 bytes")
            .hasMessageContaining("multipart");
      }
      assertThat(other.callInCoroutine(CloudStorage.Upload.bytes("limited", "ok", new byte[1000])))
          .extracting(UploadResult::size)
          .isEqualTo(1000L);
    }
    assertThat(call(new CloudStorage.List(STORAGE, "")).keys()).containsExactly("ok");
  }

  // ---- errors from the server ----

  @Test
  void wrongCredentials_failWithAccessDenied() {
    S3ObjectStorage intruder =
        S3ObjectStorage.builder("intruder", "baton-test-" + BUCKETS.get())
            .endpoint(server.endpoint())
            .credentials(S3ProxyServer.IDENTITY, "wrong-secret")
            .pathStyle(true)
            .build();
    try (TestNode other =
        TestNode.builder()
            .dispatcher(new CloudStorageModule())
            .component(ObjectStorages.component(intruder))
            .build()) {
      assertThatThrownBy(() -> other.callInCoroutine(new CloudStorage.Head("intruder", "k")))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("intruder");
    }
  }

  @Test
  void aServerThatIsDown_failsWithStorageUnavailable_withTheClientsErrorAsCause() throws Exception {
    S3ObjectStorage down =
        S3ObjectStorage.builder("down", "bucket")
            .endpoint(URI.create("http://127.0.0.1:" + S3ProxyServer.freePort()))
            .credentials("id", "secret")
            .pathStyle(true)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    try (TestNode other =
        TestNode.builder()
            .dispatcher(new CloudStorageModule())
            .component(ObjectStorages.component(down))
            .build()) {
      assertThatThrownBy(() -> other.callInCoroutine(CloudStorage.Upload.text("down", "k", "lost")))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("upload of key 'k'")
          .hasCauseInstanceOf(software.amazon.awssdk.core.exception.SdkClientException.class);
    }
  }
}
