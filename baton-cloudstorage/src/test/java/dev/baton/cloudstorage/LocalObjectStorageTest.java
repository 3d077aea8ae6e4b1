package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cloudstorage.spi.ObjectStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
