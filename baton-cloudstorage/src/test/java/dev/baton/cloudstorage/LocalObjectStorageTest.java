package dev.baton.cloudstorage;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cloudstorage.spi.ObjectReader;
import dev.baton.cloudstorage.spi.ObjectStorage;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The behaviour suite on the local filesystem backend, plus what only it does. */
class LocalObjectStorageTest extends ObjectStorageBehaviourTest {
  private @Nullable LocalObjectStorage opened;

  @Override
  ObjectStorage newStorage(String name) {
    LocalObjectStorage storage = LocalObjectStorage.open(name, work.resolve("root"));
    opened = storage;
    return storage;
  }

  private LocalObjectStorage local() {
    return requireNonNull(opened, "booted");
  }

  @Override
  List<Path> leftoverTemporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(local().temporaryDirectory())) {
      return files.toList();
    }
  }

  @Test
  void keysThatWouldEscapeTheRoot_areRefusedWithInvalidKey_andNothingIsWritten() throws Exception {
    for (String key :
        List.of(
            "../outside.txt",
            "a/../../outside.txt",
            "/etc/passwd",
            "a//b",
            "./a",
            "a/.",
            "a\\..\\b",
            "dir/",
            ".baton-meta/x",
            ".baton-tmp/x",
            "tab\there")) {
      assertThatThrownBy(() -> call(CloudStorage.Upload.text(STORAGE, key, "x")))
          .as(key)
          .isInstanceOf(InvalidKeyException.class)
          .hasMessageContaining(key);
      assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, key)))
          .as(key)
          .isInstanceOf(InvalidKeyException.class);
    }
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("root");
    }
    assertThat(call(new CloudStorage.List(STORAGE, "")).objects()).isEmpty();
  }

  @Test
  void objectsAreFilesUnderTheRoot_withMetadataInASidecar() throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "reports/q3.txt", "numbers"));

    assertThat(Files.readString(local().root().resolve("reports/q3.txt"))).isEqualTo("numbers");
    assertThat(Files.exists(local().root().resolve(".baton-meta/reports/q3.txt"))).isTrue();
  }

  @Test
  void aFilePutUnderTheRootByHand_isListedAndRead_withAComputedEtag() throws Exception {
    Files.createDirectories(local().root().resolve("manual"));
    Files.writeString(local().root().resolve("manual/note.txt"), "by hand");

    ObjectInfo info = call(new CloudStorage.Head(STORAGE, "manual/note.txt"));
    assertThat(info.etag())
        .isEqualTo(md5Hex("by hand".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(info.contentType()).isEqualTo("application/octet-stream");
    assertThat(call(new CloudStorage.List(STORAGE, "manual/")).keys())
        .containsExactly("manual/note.txt");
    // Computed once: remembered in a sidecar bound to the file, which a later edit outdates.
    assertThat(local().root().resolve(".baton-meta/manual/note.txt")).isRegularFile();
    Files.writeString(local().root().resolve("manual/note.txt"), "edited by hand");
    assertThat(call(new CloudStorage.Head(STORAGE, "manual/note.txt")).etag())
        .isEqualTo(md5Hex("edited by hand".getBytes(UTF_8)));
  }

  @Test
  void aKeyThatIsADirectoryOfAnotherObject_isRefused_unlikeS3() {
    call(CloudStorage.Upload.text(STORAGE, "a", "file"));
    assertThatThrownBy(() -> call(CloudStorage.Upload.text(STORAGE, "a/b", "below a file")))
        .isInstanceOf(InvalidKeyException.class);
    call(CloudStorage.Upload.text(STORAGE, "x/y", "below x"));
    assertThatThrownBy(() -> call(CloudStorage.Upload.text(STORAGE, "x", "over a directory")))
        .isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void deletingTheLastObjectOfADirectory_removesTheDirectory_soTheNameCanBeAnObject() {
    call(CloudStorage.Upload.text(STORAGE, "x/y/z", "deep"));
    call(CloudStorage.Delete.of(STORAGE, "x/y/z"));

    call(CloudStorage.Upload.text(STORAGE, "x", "now a file"));
    assertThat(call(new CloudStorage.Download(STORAGE, "x")).text()).isEqualTo("now a file");
  }

  @Test
  void presignedUrls_areNotSupported_withATypedError() {
    assertThatThrownBy(
            () -> call(new CloudStorage.PresignedGetUrl(STORAGE, "k", Duration.ofMinutes(5))))
        .isInstanceOf(PresignNotSupportedException.class)
        .hasMessageContaining("serves no HTTP");
    assertThatThrownBy(
            () -> call(new CloudStorage.PresignedPutUrl(STORAGE, "k", Duration.ofMinutes(5))))
        .isInstanceOf(PresignNotSupportedException.class);
  }

  @Test
  void deleteOutcomes_carryPerKeyErrors_withoutStoppingTheOthers() {
    call(CloudStorage.Upload.text(STORAGE, "ok", "1"));

    List<DeleteOutcome> outcomes = call(CloudStorage.Delete.of(STORAGE, "../bad", "ok"));

    assertThat(outcomes.get(0).error()).isInstanceOf(InvalidKeyException.class);
    assertThat(outcomes.get(1).succeeded()).isTrue();
    assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, "ok")))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void aSymlinkInsideTheRootPointingOut_isNeverFollowed_forReadWriteDeleteOrList()
      throws Exception {
    Path outside = Files.createDirectories(work.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(local().root().resolve("escape"), outside);
    Files.createSymbolicLink(local().root().resolve("link.txt"), outside.resolve("secret.txt"));

    for (String key : List.of("escape/secret.txt", "link.txt")) {
      assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, key)))
          .as(key)
          .isInstanceOf(InvalidKeyException.class)
          .hasMessageContaining("symbolic link");
      assertThatThrownBy(() -> call(new CloudStorage.Download(STORAGE, key)))
          .as(key)
          .isInstanceOf(InvalidKeyException.class);
    }
    assertThatThrownBy(() -> call(CloudStorage.Upload.text(STORAGE, "escape/new.txt", "planted")))
        .isInstanceOf(InvalidKeyException.class);
    assertThat(call(CloudStorage.Delete.of(STORAGE, "escape/secret.txt")).getFirst().error())
        .isInstanceOf(InvalidKeyException.class);
    assertThat(call(new CloudStorage.List(STORAGE, "")).keys()).isEmpty();
    assertThat(call(new CloudStorage.List(STORAGE, "escape/")).keys()).isEmpty();
    // Uploading over the link replaces the link itself, never the file it points to.
    call(CloudStorage.Upload.text(STORAGE, "link.txt", "mine"));
    assertThat(call(new CloudStorage.Download(STORAGE, "link.txt")).text()).isEqualTo("mine");
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
    }
    assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("secret");
  }

  @Test
  void aFileRewrittenByHandWithTheSameSize_reportsItsOwnEtag_notTheOldSidecars() throws Exception {
    call(
        CloudStorage.Upload.text(STORAGE, "same-size.txt", "hello").withMetadata(Map.of("v", "1")));
    Files.writeString(local().root().resolve("same-size.txt"), "world");

    ObjectInfo info = call(new CloudStorage.Head(STORAGE, "same-size.txt"));

    assertThat(info.etag()).isEqualTo(md5Hex("world".getBytes(UTF_8)));
    assertThat(info.metadata()).isEmpty();
    assertThat(info.contentType()).isEqualTo("application/octet-stream");
    assertThat(call(new CloudStorage.List(STORAGE, "")).objects().getFirst().etag())
        .isEqualTo(md5Hex("world".getBytes(UTF_8)));
  }

  @Test
  void download_toAPathThatCannotBeAFile_failsWithUncheckedIOException_andLeavesNoPartFile()
      throws Exception {
    call(CloudStorage.Upload.text(STORAGE, "k", "content"));
    Path target = Files.createDirectories(work.resolve("out/taken"));
    Files.writeString(target.resolve("inside"), "x");

    assertThatThrownBy(() -> call(new CloudStorage.Download(STORAGE, "k").toFile(target)))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(target.toString());
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("taken");
    }
  }

  @Test
  void concurrentWriters_onOneOrTwoInstancesOfARoot_neverShowAnEtagOrMetadataOfOtherContent()
      throws Exception {
    LocalObjectStorage a = local();
    LocalObjectStorage b = LocalObjectStorage.open(STORAGE, a.root()); // a second writer
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.Queue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int w = 0; w < 6; w++) {
      LocalObjectStorage writer = w % 2 == 0 ? a : b;
      int id = w;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 30; i++) {
                      String version = id + "-" + i;
                      writer.upload(
                          CloudStorage.Upload.text(STORAGE, "contended", "content " + version)
                              .withMetadata(Map.of("version", version)));
                    }
                  }));
    }
    call(CloudStorage.Upload.text(STORAGE, "contended", "content first"));
    for (int r = 0; r < 2; r++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 200; i++) {
                      try (ObjectReader reader = a.open("contended", (ByteRange) null)) {
                        String text = new String(reader.stream().readAllBytes(), UTF_8);
                        ObjectInfo info = reader.info();
                        String version = info.metadata().get("version");
                        if (!info.etag().equals(md5Hex(text.getBytes(UTF_8)))
                            || (version != null && !text.equals("content " + version))) {
                          problems.add(text + " with " + info);
                        }
                      } catch (Exception e) {
                        problems.add(e.toString());
                      }
                    }
                  }));
    }
    for (Thread thread : threads) {
      assertThat(thread.join(TestNode.BOUND)).as("thread finished").isTrue();
    }
    assertThat(problems).isEmpty();
    assertThat(leftoverTemporaryFiles()).isEmpty();
  }

  @Test
  void list_ordersCharactersPastUFFFFByUtf8_notUtf16() {
    // U+FB00 is EF AC 80 in UTF-8, U+1F600 is F0 9F 98 80; in UTF-16 the surrogate D83D comes
    // first.
    call(CloudStorage.Upload.text(STORAGE, "\ud83d\ude00", "emoji"));
    call(CloudStorage.Upload.text(STORAGE, "\ufb00", "ligature"));

    assertThat(call(new CloudStorage.List(STORAGE, "").withMaxKeys(1)).keys())
        .containsExactly("\ufb00");
    assertThat(call(new CloudStorage.List(STORAGE, "", "\ufb00", 10)).keys())
        .containsExactly("\ud83d\ude00");
  }

  @Test
  void list_continuesAfterTheTokensKey_withinAndAcrossDirectories() throws Exception {
    List<String> keys = new java.util.ArrayList<>();
    for (int d = 0; d < 5; d++) {
      for (int f = 0; f < 5; f++) {
        keys.add("t/" + d + "/" + (char) ('a' + f));
      }
    }
    for (String key : keys) {
      call(CloudStorage.Upload.text(STORAGE, key, key));
    }
    ObjectPage page =
        call(new CloudStorage.List(STORAGE, "t/", "t/0/a", CloudStorage.MAX_KEYS).withMaxKeys(3));
    assertThat(page.keys()).containsExactly("t/0/b", "t/0/c", "t/0/d");
    assertThat(page.nextContinuationToken()).isEqualTo("t/0/d");
    ObjectPage rest = call(new CloudStorage.List(STORAGE, "t/3/"));
    assertThat(rest.keys()).containsExactly("t/3/a", "t/3/b", "t/3/c", "t/3/d", "t/3/e");
    ObjectPage acrossDirectories =
        call(new CloudStorage.List(STORAGE, "t/", "t/1/e", CloudStorage.MAX_KEYS).withMaxKeys(2));
    assertThat(acrossDirectories.keys()).containsExactly("t/2/a", "t/2/b");
  }

  @Test
  void aYieldDeadline_abortsARunningLocalDownloadToAFile_leavesNoPartialFile_andFreesTheTag()
      throws Exception {
    byte[] content = new byte[1 << 20];
    call(CloudStorage.Upload.bytes(STORAGE, "large.bin", content));
    Path downloads = Files.createDirectories(work.resolve("downloads"));
    Path target = downloads.resolve("large.bin");
    // The real backend's reader, whose stream stalls after its first 64 KiB until the reader is
    // aborted (or its thread interrupted): only cancellation ends this download.
    StallingLocal stalling = new StallingLocal(LocalObjectStorage.open(STORAGE, local().root()));
    CloudStorageModule stalledModule = new CloudStorageModule();
    try (TestNode other =
        TestNode.builder()
            .dispatcher(stalledModule)
            .component(ObjectStorages.component(stalling))
            .build()) {
      ProcessResult result =
          other.runCoroutine(
              (process, input) -> {
                try {
                  process.call(
                      new CloudStorage.Download(STORAGE, "large.bin").toFile(target),
                      Duration.ofMillis(300));
                  return "the download finished";
                } catch (YieldTimeoutException expected) {
                  // The tag is free: the process yields again and gets its answer.
                  return process.call(new CloudStorage.Head(STORAGE, "large.bin")).size();
                }
              },
              null);

      assertThat(result.error()).isNull();
      assertThat(result.value()).isEqualTo((long) content.length);
      assertThat(stalling.served.get()).as("the download had started").isPositive();
      awaitCondition("the download to stop", () -> stalledModule.runningCalls() == 0);
      awaitCondition("the real reader to be closed", () -> stalling.readerClosed.get());
      try (Stream<Path> files = Files.list(downloads)) {
        assertThat(files.toList()).isEmpty();
      }
    }
  }

  /** The local backend, its readers' streams stalling after 64 KiB until aborted. */
  private static final class StallingLocal implements ObjectStorage {
    private final LocalObjectStorage real;
    final java.util.concurrent.atomic.AtomicLong served =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicBoolean readerClosed =
        new java.util.concurrent.atomic.AtomicBoolean();

    StallingLocal(LocalObjectStorage real) {
      this.real = real;
    }

    @Override
    public ObjectReader open(String key, @Nullable ByteRange range) {
      ObjectReader reader = real.open(key, range);
      java.util.concurrent.CountDownLatch aborted = new java.util.concurrent.CountDownLatch(1);
      InputStream stalling =
          new InputStream() {
            @Override
            public int read() throws IOException {
              byte[] one = new byte[1];
              return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (served.get() < 64 * 1024) {
                int n = reader.stream().read(b, off, len);
                served.addAndGet(Math.max(n, 0));
                return n;
              }
              try {
                aborted.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while stalled");
              }
              return reader.stream().read(b, off, len); // the real stream, now closed: fails
            }
          };
      return new ObjectReader() {
        @Override
        public ObjectInfo info() {
          return reader.info();
        }

        @Override
        public long length() {
          return reader.length();
        }

        @Override
        public InputStream stream() {
          return stalling;
        }

        @Override
        public void abort() {
          reader.abort();
          readerClosed.set(readFails(reader));
          aborted.countDown();
        }

        @Override
        public void close() {
          reader.close();
        }
      };
    }

    private static boolean readFails(ObjectReader reader) {
      try {
        return reader.stream().read() < -1;
      } catch (IOException e) {
        return true; // the channel is closed
      }
    }

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public ObjectPage list(String prefix, @Nullable String continuationToken, int maxKeys) {
      return real.list(prefix, continuationToken, maxKeys);
    }

    @Override
    public ObjectInfo head(String key) {
      return real.head(key);
    }

    @Override
    public UploadResult upload(CloudStorage.Upload upload) {
      return real.upload(upload);
    }

    @Override
    public List<DeleteOutcome> delete(List<String> keys) {
      return real.delete(keys);
    }

    @Override
    public PresignedUrl presignGet(String key, Duration expiry) {
      return real.presignGet(key, expiry);
    }

    @Override
    public PresignedUrl presignPut(
        String key, Duration expiry, @Nullable String contentType, long contentLength) {
      return real.presignPut(key, expiry, contentType, contentLength);
    }

    @Override
    public void close() {
      real.close();
    }
  }
}
