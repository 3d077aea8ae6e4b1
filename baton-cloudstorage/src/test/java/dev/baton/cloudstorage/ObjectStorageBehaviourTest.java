package dev.baton.cloudstorage;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.Component;
import dev.baton.cloudstorage.spi.ObjectStorage;
import dev.baton.process.Event;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One behaviour suite for every backend: the subclasses boot it on the local filesystem and on a
 * real S3 server. Each test gets a fresh, empty storage called {@value #STORAGE}.
 */
abstract class ObjectStorageBehaviourTest {
  static final String STORAGE = "files";

  @TempDir Path work;

  TestNode node;
  CloudStorageModule module;
  ObjectStorage storage;

  /** A fresh, empty storage called {@code name}. */
  abstract ObjectStorage newStorage(String name) throws Exception;

  @BeforeEach
  void boot() throws Exception {
    storage = newStorage(STORAGE);
    module = new CloudStorageModule();
    Component storages = ObjectStorages.component(storage);
    node = TestNode.builder().dispatcher(module).component(storages).build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  static String md5Hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }

  <R> R call(dev.baton.dispatch.Command<R> command) {
    return node.callInCoroutine(command);
  }

  // ---- upload, head, download ----

  @Test
  void upload_thenHead_reportsSizeEtagContentTypeAndMetadata() throws Exception {
    byte[] content = "hello, object".getBytes(UTF_8);
    UploadResult uploaded =
        call(
            CloudStorage.Upload.bytes(STORAGE, "docs/hello.txt", content)
                .withContentType("text/plain")
                .withMetadata(Map.of("owner", "ada", "trace-id", "t-1")));

    assertThat(uploaded.etag()).isEqualTo(md5Hex(content));
    assertThat(uploaded.size()).isEqualTo(content.length);
    ObjectInfo info = call(new CloudStorage.Head(STORAGE, "docs/hello.txt"));
    assertThat(info.key()).isEqualTo("docs/hello.txt");
    assertThat(info.size()).isEqualTo(content.length);
    assertThat(info.etag()).isEqualTo(md5Hex(content));
    assertThat(info.contentType()).startsWith("text/plain");
    assertThat(info.metadata()).containsEntry("owner", "ada").containsEntry("trace-id", "t-1");
    assertThat(info.lastModified()).isNotNull();
  }

  @Test
  void download_returnsTheUploadedBytes_andReplacingAnObjectReplacesItsContentAndMetadata() {
    call(CloudStorage.Upload.text(STORAGE, "a.txt", "first").withMetadata(Map.of("version", "1")));
    call(CloudStorage.Upload.text(STORAGE, "a.txt", "second, longer"));

    Downloaded downloaded = call(new CloudStorage.Download(STORAGE, "a.txt"));
    assertThat(downloaded.text()).isEqualTo("second, longer");
    assertThat(downloaded.length()).isEqualTo(14);
    assertThat(downloaded.info().metadata()).doesNotContainKey("version");
  }

  @Test
  void stepProcess_uploadsHeadsListsDownloadsAndDeletes() {
    Event.Completion up =
        node.yieldFromStep(CloudStorage.Upload.text(STORAGE, "step/one.txt", "from a step"));
    assertThat(up.error()).isNull();
    assertThat(((UploadResult) requireNonNull(up.result())).size()).isEqualTo(11);

    Event.Completion head = node.yieldFromStep(new CloudStorage.Head(STORAGE, "step/one.txt"));
    assertThat(((ObjectInfo) requireNonNull(head.result())).size()).isEqualTo(11);

    Event.Completion list = node.yieldFromStep(new CloudStorage.List(STORAGE, "step/"));
    assertThat(((ObjectPage) requireNonNull(list.result())).keys()).containsExactly("step/one.txt");

    Event.Completion down = node.yieldFromStep(new CloudStorage.Download(STORAGE, "step/one.txt"));
    assertThat(((Downloaded) requireNonNull(down.result())).text()).isEqualTo("from a step");

    Event.Completion delete = node.yieldFromStep(CloudStorage.Delete.of(STORAGE, "step/one.txt"));
    assertThat(delete.error()).isNull();

    Event.Completion missing = node.yieldFromStep(new CloudStorage.Head(STORAGE, "step/one.txt"));
    assertThat(missing.result()).isNull();
    assertThat(missing.error()).isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void headAndDownload_ofAnAbsentKey_failWithObjectNotFound() {
    assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, "nope/missing.bin")))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("nope/missing.bin")
        .satisfies(e -> assertThat(((ObjectNotFoundException) e).storage()).isEqualTo(STORAGE));
    assertThatThrownBy(() -> call(new CloudStorage.Download(STORAGE, "nope/missing.bin")))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void download_largerThanMaxBytes_failsWithObjectTooLarge_butARangeWithinTheLimitWorks() {
    call(CloudStorage.Upload.bytes(STORAGE, "big.bin", new byte[4096]));

    assertThatThrownBy(() -> call(new CloudStorage.Download(STORAGE, "big.bin").withMaxBytes(4095)))
        .isInstanceOf(ObjectTooLargeException.class)
        .satisfies(
            e -> {
              ObjectTooLargeException tooLarge = (ObjectTooLargeException) e;
              assertThat(tooLarge.size()).isEqualTo(4096);
              assertThat(tooLarge.limit()).isEqualTo(4095);
            });
    Downloaded part =
        call(
            new CloudStorage.Download(STORAGE, "big.bin")
                .withMaxBytes(100)
                .withRange(ByteRange.ofLength(1000, 100)));
    assertThat(part.requireBytes()).hasSize(100);
  }

  @Test
  void download_ofARange_returnsThoseBytes_cutAtTheEnd_andAPastTheEndRangeFails() {
    call(CloudStorage.Upload.text(STORAGE, "digits", "0123456789"));

    assertThat(
            call(new CloudStorage.Download(STORAGE, "digits").withRange(new ByteRange(2, 5)))
                .text())
        .isEqualTo("2345");
    Downloaded tail =
        call(new CloudStorage.Download(STORAGE, "digits").withRange(new ByteRange(7, 100)));
    assertThat(tail.text()).isEqualTo("789");
    assertThat(tail.info().size()).isEqualTo(10);
    assertThatThrownBy(
            () ->
                call(new CloudStorage.Download(STORAGE, "digits").withRange(new ByteRange(10, 20))))
        .isInstanceOf(InvalidRangeException.class);
  }

  @Test
  void download_toAFile_writesTheWholeObject_andLeavesNoPartFile() throws Exception {
    byte[] content = new byte[300_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    call(CloudStorage.Upload.bytes(STORAGE, "blob", content));
    Path target = Files.createDirectories(work.resolve("downloads")).resolve("blob.bin");
    Files.writeString(target, "old content");

    Downloaded downloaded = call(new CloudStorage.Download(STORAGE, "blob").toFile(target));

    assertThat(downloaded.file()).isEqualTo(target);
    assertThat(downloaded.bytes()).isNull();
    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("blob.bin");
    }
  }

  @Test
  void download_toAFile_overTheLimit_leavesTheFileUntouched() throws Exception {
    call(CloudStorage.Upload.bytes(STORAGE, "blob", new byte[1000]));
    Path target = work.resolve("kept.bin");
    Files.writeString(target, "kept");

    assertThatThrownBy(
            () -> call(new CloudStorage.Download(STORAGE, "blob").toFile(target).withMaxBytes(999)))
        .isInstanceOf(ObjectTooLargeException.class);
    assertThat(Files.readString(target)).isEqualTo("kept");
  }

  @Test
  void upload_fromAFile_storesItsContent() throws Exception {
    byte[] content = new byte[200_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i % 251);
    }
    Path source = work.resolve("source.bin");
    Files.write(source, content);

    UploadResult uploaded =
        call(
            CloudStorage.Upload.file(STORAGE, "from/file.bin", source)
                .withContentType("application/x-test"));

    assertThat(uploaded.size()).isEqualTo(content.length);
    assertThat(uploaded.etag()).isEqualTo(md5Hex(content));
    assertThat(call(new CloudStorage.Download(STORAGE, "from/file.bin")).requireBytes())
        .isEqualTo(content);
    assertThat(call(new CloudStorage.Head(STORAGE, "from/file.bin")).contentType())
        .isEqualTo("application/x-test");
  }

  @Test
  void upload_ofADirectoryOrAMissingFile_failsWithUncheckedIOException_andStoresNothing() {
    for (Path bad : List.of(work, work.resolve("missing.bin"))) {
      assertThatThrownBy(() -> call(CloudStorage.Upload.file(STORAGE, "bad", bad)))
          .as(bad.toString())
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining(bad.toString());
    }
    assertThat(call(new CloudStorage.List(STORAGE, "")).objects()).isEmpty();
  }

  // ---- list ----

  @Test
  void list_pagesThroughAPrefixInKeyOrder_withContinuationTokens() {
    List<String> keys =
        List.of("logs/2026/01.txt", "logs/2026/02.txt", "logs/2025/12.txt", "logs/b", "other");
    for (String key : keys) {
      call(CloudStorage.Upload.text(STORAGE, key, key));
    }

    List<String> seen = new ArrayList<>();
    CloudStorage.List command = new CloudStorage.List(STORAGE, "logs/").withMaxKeys(2);
    ObjectPage page = call(command);
    seen.addAll(page.keys());
    int pages = 1;
    while (page.hasMore()) {
      page = call(command.next(page));
      seen.addAll(page.keys());
      pages++;
    }

    assertThat(seen)
        .containsExactly("logs/2025/12.txt", "logs/2026/01.txt", "logs/2026/02.txt", "logs/b");
    assertThat(pages).isEqualTo(2);
    ObjectPage all = call(new CloudStorage.List(STORAGE, ""));
    assertThat(all.keys()).hasSize(5).last().isEqualTo("other");
    assertThat(all.hasMore()).isFalse();
    assertThat(all.objects().getFirst().size()).isEqualTo("logs/2025/12.txt".length());
  }

  @Test
  void list_ordersKeysByTheirUtf8Bytes_acrossDirectories_onEveryPageSize() {
    // '-' < '/' < '0' in bytes; U+00E9 < U+FB00 in UTF-8. (Characters past U+FFFF are left to
    // the local suite: s3proxy orders them by UTF-16, unlike AWS S3.)
    List<String> expected = List.of("B", "a-c", "a/b", "a/c/d", "a0", "\u00e9", "\ufb00");
    for (String key : expected.reversed()) {
      call(CloudStorage.Upload.text(STORAGE, key, key));
    }
    for (int size = 1; size <= 3; size++) {
      List<String> seen = new ArrayList<>();
      CloudStorage.List command = new CloudStorage.List(STORAGE, "").withMaxKeys(size);
      ObjectPage page = call(command);
      seen.addAll(page.keys());
      while (page.hasMore()) {
        page = call(command.next(page));
        seen.addAll(page.keys());
      }
      assertThat(seen).as("pages of " + size).containsExactlyElementsOf(expected);
    }
    assertThat(call(new CloudStorage.List(STORAGE, "a")).keys())
        .containsExactly("a-c", "a/b", "a/c/d", "a0");
    assertThat(call(new CloudStorage.List(STORAGE, "a/c")).keys()).containsExactly("a/c/d");
  }

  @Test
  void list_ofAnEmptyPrefix_isAnEmptyLastPage() {
    ObjectPage page = call(new CloudStorage.List(STORAGE, "nothing/here/"));
    assertThat(page.objects()).isEmpty();
    assertThat(page.hasMore()).isFalse();
  }

  // ---- delete ----

  @Test
  void delete_removesEachKey_andAnAbsentKeySucceeds() {
    call(CloudStorage.Upload.text(STORAGE, "d/1", "1"));
    call(CloudStorage.Upload.text(STORAGE, "d/2", "2"));

    List<DeleteOutcome> outcomes = call(CloudStorage.Delete.of(STORAGE, "d/1", "d/2", "d/absent"));

    assertThat(outcomes).extracting(DeleteOutcome::key).containsExactly("d/1", "d/2", "d/absent");
    assertThat(outcomes).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
    assertThat(call(new CloudStorage.List(STORAGE, "d/")).objects()).isEmpty();
  }

  // ---- errors ----

  @Test
  void aCommandForAnUnknownStorage_failsWithStorageNotFound_namingTheKnownOnes() {
    assertThatThrownBy(() -> call(new CloudStorage.Head("elsewhere", "k")))
        .isInstanceOf(StorageNotFoundException.class)
        .hasMessageContaining("elsewhere")
        .hasMessageContaining(STORAGE);
  }

  // ---- cancellation ----

  /** A sparse file big enough that no backend uploads it before the test cancels. */
  Path bigSparseFile() throws IOException {
    Path big = work.resolve("big.bin");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(1L << 30);
    }
    return big;
  }

  /** Temporary files the backend may have left (the local backend's; none for S3). */
  abstract List<Path> leftoverTemporaryFiles() throws IOException;

  @Test
  void aCancelledUpload_stopsTheTransfer_andLeavesNoObjectAndNoTemporaryFile() throws Exception {
    Path big = bigSparseFile();
    TestNode.Started uploader =
        node.startCoroutine(
            (process, input) -> process.call(CloudStorage.Upload.file(STORAGE, "huge.bin", big)),
            null);
    awaitCondition("the upload to run", () -> module.runningCalls() == 1);

    node.scheduler().terminate(uploader.pid());

    ProcessResult result = uploader.await();
    assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
    awaitCondition("the upload to stop", () -> module.runningCalls() == 0);
    assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, "huge.bin")))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThat(leftoverTemporaryFiles()).isEmpty();
  }

  @Test
  void aYieldDeadline_cancelsTheUpload_andTheProcessCarriesOn() throws Exception {
    Path big = bigSparseFile();
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              List<Object> seen = new ArrayList<>();
              try {
                process.call(
                    CloudStorage.Upload.file(STORAGE, "late.bin", big), Duration.ofMillis(200));
                seen.add("the upload finished");
              } catch (YieldTimeoutException expected) {
                seen.add("deadline");
              }
              seen.add(process.call(CloudStorage.Upload.text(STORAGE, "after", "fine")).size());
              return seen;
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of("deadline", 4L));
    awaitCondition("the upload to stop", () -> module.runningCalls() == 0);
    assertThatThrownBy(() -> call(new CloudStorage.Head(STORAGE, "late.bin")))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThat(leftoverTemporaryFiles()).isEmpty();
  }
}
