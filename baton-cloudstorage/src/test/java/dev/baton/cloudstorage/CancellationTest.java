package dev.baton.cloudstorage;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cloudstorage.spi.ObjectReader;
import dev.baton.cloudstorage.spi.ObjectStorage;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module's side of cancellation, on a backend whose download never ends by itself: a cancelled
 * download aborts the reader, stops its thread and leaves no partial file.
 */
class CancellationTest {
  @TempDir Path work;

  private final EndlessStorage storage = new EndlessStorage();
  private final CloudStorageModule module = new CloudStorageModule();
  private TestNode node;

  @BeforeEach
  void boot() {
    node =
        TestNode.builder().dispatcher(module).component(ObjectStorages.component(storage)).build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  @Test
  void theOwnersEnd_abortsARunningDownloadToAFile_andLeavesNoPartialFile() throws Exception {
    Path target = work.resolve("out.bin");
    TestNode.Started downloader =
        node.startCoroutine(
            (process, input) ->
                process.call(new CloudStorage.Download("endless", "k").toFile(target)),
            null);
    awaitCondition("the download to stream", () -> storage.bytesServed.get() > 0);

    node.scheduler().terminate(downloader.pid());

    ProcessResult result = downloader.await();
    assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
    awaitCondition("the download to stop", () -> module.runningCalls() == 0);
    assertThat(storage.aborted.getCount()).isZero();
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void aPassedYieldDeadline_abortsADownloadToMemory_andTheProcessCarriesOn() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              try {
                process.call(
                    new CloudStorage.Download("endless", "k").withMaxBytes(1L << 30),
                    Duration.ofMillis(200));
                return "finished";
              } catch (YieldTimeoutException expected) {
                return "deadline";
              }
            },
            null);

    assertThat(result.value()).isEqualTo("deadline");
    awaitCondition("the download to stop", () -> module.runningCalls() == 0);
    assertThat(storage.aborted.getCount()).isZero();
  }

  @Test
  void anIllegalArgumentExceptionFromABackend_reachesTheCallerAsStorageUnavailable() {
    assertThatThrownBy(() -> node.callInCoroutine(new CloudStorage.Head("endless", "backend-bug")))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("head of key 'backend-bug'")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  /** One object of 1 GiB whose stream serves a few bytes, then blocks until aborted. */
  private static final class EndlessStorage implements ObjectStorage {
    final CountDownLatch aborted = new CountDownLatch(1);
    final AtomicInteger bytesServed = new AtomicInteger();

    @Override
    public String name() {
      return "endless";
    }

    @Override
    public ObjectPage list(String prefix, @Nullable String continuationToken, int maxKeys) {
      return new ObjectPage(List.of(), null);
    }

    @Override
    public ObjectInfo head(String key) {
      if (key.equals("backend-bug")) {
        throw new IllegalArgumentException("a backend's own bad argument");
      }
      return new ObjectInfo(
          key, 1L << 30, "etag", "application/octet-stream", Instant.EPOCH, Map.of());
    }

    @Override
    public ObjectReader open(String key, @Nullable ByteRange range) {
      ObjectInfo info = head(key);
      InputStream stream =
          new InputStream() {
            @Override
            public int read() throws IOException {
              byte[] one = new byte[1];
              return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (bytesServed.get() == 0) {
                bytesServed.addAndGet(len);
                return len;
              }
              try {
                aborted.await(); // a transfer that only an abort ends
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
              }
              throw new IOException("the connection was aborted");
            }
          };
      return new ObjectReader() {
        @Override
        public ObjectInfo info() {
          return info;
        }

        @Override
        public long length() {
          return info.size();
        }

        @Override
        public InputStream stream() {
          return stream;
        }

        @Override
        public void abort() {
          aborted.countDown();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public UploadResult upload(CloudStorage.Upload upload) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<DeleteOutcome> delete(List<String> keys) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PresignedUrl presignGet(String key, Duration expiry) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PresignedUrl presignPut(
        String key, Duration expiry, @Nullable String contentType, long contentLength) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
