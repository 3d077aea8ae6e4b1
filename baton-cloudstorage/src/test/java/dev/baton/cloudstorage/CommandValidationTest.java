package dev.baton.cloudstorage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Commands check their arguments when made, naming the field. */
class CommandValidationTest {
  @Test
  void keysMustBeNonEmptyWellFormedAndAtMost1024Utf8Bytes() {
    assertThatThrownBy(() -> new CloudStorage.Head("s", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> new CloudStorage.Head("s", "a\0b")).hasMessageContaining("NUL");
    assertThatThrownBy(() -> new CloudStorage.Head("s", "x\uD800"))
        .hasMessageContaining("surrogate");
    assertThatThrownBy(() -> new CloudStorage.Head("s", "é".repeat(513)))
        .hasMessageContaining("1026 UTF-8 bytes");
    assertThat(new CloudStorage.Head("s", "é".repeat(512)).key()).hasSize(512);
    assertThatThrownBy(() -> new CloudStorage.Head("bad name", "k"))
        .hasMessageContaining("storage");
  }

  @Test
  void listAndDeleteAreBoundedTo1000Keys() {
    assertThatThrownBy(() -> new CloudStorage.List("s", "", null, 0))
        .hasMessageContaining("maxKeys");
    assertThatThrownBy(() -> new CloudStorage.List("s", "", null, 1001))
        .hasMessageContaining("maxKeys");
    assertThatThrownBy(() -> new CloudStorage.List("s", "", "", 10))
        .hasMessageContaining("continuationToken");
    assertThatThrownBy(() -> new CloudStorage.Delete("s", List.of()))
        .hasMessageContaining("1..1000");
    assertThatThrownBy(() -> new CloudStorage.Delete("s", Collections.nCopies(1001, "k")))
        .hasMessageContaining("1..1000");
    assertThatThrownBy(() -> new CloudStorage.List("s", "p").next(new ObjectPage(List.of(), null)))
        .hasMessageContaining("last");
  }

  @Test
  void uploadsTakeBytesOrAFile_aValidContentType_andHeaderSafeMetadata() {
    assertThatThrownBy(
            () -> new CloudStorage.Upload("s", "k", new byte[0], Path.of("f"), null, Map.of()))
        .hasMessageContaining("exactly one of bytes and file");
    assertThatThrownBy(
            () -> CloudStorage.Upload.bytes("s", "k", new byte[0]).withContentType("text"))
        .hasMessageContaining("contentType");
    assertThatThrownBy(
            () ->
                CloudStorage.Upload.bytes("s", "k", new byte[0]).withMetadata(Map.of("Owner", "x")))
        .hasMessageContaining("metadata name");
    assertThatThrownBy(
            () ->
                CloudStorage.Upload.bytes("s", "k", new byte[0])
                    .withMetadata(Map.of("owner", "line\nbreak")))
        .hasMessageContaining("printable ASCII");
    assertThatThrownBy(
            () ->
                CloudStorage.Upload.bytes("s", "k", new byte[0])
                    .withMetadata(Map.of("big", "x".repeat(2048))))
        .hasMessageContaining("2048");
  }

  @Test
  void downloadsToMemoryAreCappedAtTheLargestArray_andRangesAreOrdered() {
    assertThatThrownBy(
            () ->
                new CloudStorage.Download("s", "k")
                    .withMaxBytes(CloudStorage.MAX_IN_MEMORY_BYTES + 1))
        .hasMessageContaining("download to a file");
    assertThat(
            new CloudStorage.Download("s", "k")
                .toFile(Path.of("out.bin"))
                .withMaxBytes(Long.MAX_VALUE)
                .maxBytes())
        .isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> new ByteRange(5, 4)).hasMessageContaining("last");
    assertThatThrownBy(() -> new ByteRange(-1, 4)).hasMessageContaining("first");
    assertThat(ByteRange.ofLength(10, 5).header()).isEqualTo("bytes=10-14");
  }

  @Test
  void presignExpiryIsOneSecondToSevenDays() {
    assertThatThrownBy(() -> new CloudStorage.PresignedGetUrl("s", "k", Duration.ofMillis(999)))
        .hasMessageContaining("expiry");
    assertThatThrownBy(() -> new CloudStorage.PresignedPutUrl("s", "k", Duration.ofDays(8)))
        .hasMessageContaining("expiry");
    assertThatThrownBy(
            () -> new CloudStorage.PresignedPutUrl("s", "k", Duration.ofMinutes(1), null, -2))
        .hasMessageContaining("contentLength");
  }
}
