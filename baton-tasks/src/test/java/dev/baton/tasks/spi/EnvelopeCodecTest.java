package dev.baton.tasks.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Progress;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.TraceParent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
  private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07.123456789Z");

  static TaskEnvelope fullTask() {
    TaskOptions options =
        TaskOptions.builder()
            .ignoreReport(true)
            .monitorProgress(true)
            .timeout(Duration.ofMillis(1_500))
            .retry(new RetryPolicy(5, Duration.ofMillis(250), 3.5, Duration.ofMinutes(2), 0.25))
            .eta(Instant.parse("2026-03-04T06:00:00.5Z"))
            .priority(7)
            .queue("reports-é-queue")
            .idempotencyKey("order-42/ключ")
            .resultExpiry(Duration.ofHours(36).plusNanos(17))
            .build();
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey("billing.charge", "0195a0f0-7c3e-7abc-8def-0123456789ab"),
        "reports-é-queue",
        2,
        103,
        new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0x80, 42},
        3,
        options,
        CREATED,
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "reply.caller-7");
  }

  static TaskEnvelope minimalTask() {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey("t", "1"),
        "t",
        0,
        0,
        new byte[0],
        1,
        TaskOptions.DEFAULTS,
        Instant.EPOCH,
        null,
        null);
  }

  static ReportEnvelope fullReport() {
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey("billing.charge", "id-1"),
        ReportStatus.PROGRESS,
        2,
        -7,
        new byte[] {9, 8, 7},
        new TaskError(ErrorCode.TASK_FAILED, "IllegalStateException: ünïcödé 💥"),
        new Progress(55, "half way"),
        CREATED,
        CREATED.plus(Duration.ofDays(1)));
  }

  static ReportEnvelope minimalReport() {
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey("t", ""),
        ReportStatus.SENT,
        1,
        0,
        null,
        null,
        null,
        Instant.EPOCH,
        Instant.EPOCH);
  }

  static void assertSameTask(TaskEnvelope actual, TaskEnvelope expected) {
    assertThat(actual.version()).isEqualTo(expected.version());
    assertThat(actual.key()).isEqualTo(expected.key());
    assertThat(actual.queue()).isEqualTo(expected.queue());
    assertThat(actual.marshallerId()).isEqualTo(expected.marshallerId());
    assertThat(actual.reportMarshallerId()).isEqualTo(expected.reportMarshallerId());
    assertThat(actual.arguments()).isEqualTo(expected.arguments());
    assertThat(actual.attempt()).isEqualTo(expected.attempt());
    assertThat(actual.options()).isEqualTo(expected.options());
    assertThat(actual.createdAt()).isEqualTo(expected.createdAt());
    assertThat(actual.traceparent()).isEqualTo(expected.traceparent());
    assertThat(actual.replyTo()).isEqualTo(expected.replyTo());
  }

  static void assertSameReport(ReportEnvelope actual, ReportEnvelope expected) {
    assertThat(actual.version()).isEqualTo(expected.version());
    assertThat(actual.key()).isEqualTo(expected.key());
    assertThat(actual.status()).isEqualTo(expected.status());
    assertThat(actual.attempt()).isEqualTo(expected.attempt());
    assertThat(actual.marshallerId()).isEqualTo(expected.marshallerId());
    assertThat(actual.value()).isEqualTo(expected.value());
    assertThat(actual.error()).isEqualTo(expected.error());
    assertThat(actual.progress()).isEqualTo(expected.progress());
    assertThat(actual.at()).isEqualTo(expected.at());
    assertThat(actual.expiresAt()).isEqualTo(expected.expiresAt());
  }

  // --- round trips ------------------------------------------------------------------------------

  @Test
  void heartbeat_roundTrips_andEveryTruncationOrByteFlipFailsTyped() {
    WorkerHeartbeat heartbeat =
        new WorkerHeartbeat(
            "worker-ä", Set.of("b", "a", "c.d"), 3, 8, Instant.ofEpochSecond(1_700_000_000, 123));
    byte[] bytes = EnvelopeCodec.encode(heartbeat);

    assertThat(EnvelopeCodec.decodeHeartbeat(bytes)).isEqualTo(heartbeat);
    assertThat(EnvelopeCodec.encode(EnvelopeCodec.decodeHeartbeat(bytes))).isEqualTo(bytes);
    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> EnvelopeCodec.decodeHeartbeat(truncated))
          .isInstanceOf(EnvelopeDecodeException.class);
    }
    for (int i = 0; i < bytes.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = bytes.clone();
        flipped[i] ^= (byte) (1 << bit);
        try {
          var _ = EnvelopeCodec.decodeHeartbeat(flipped);
        } catch (EnvelopeDecodeException expected) {
          // a typed failure is the only failure allowed
        }
      }
    }
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(bytes))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("magic");
  }

  @Test
  void task_roundTrips_withEveryFieldSet() {
    TaskEnvelope task = fullTask();
    byte[] bytes = EnvelopeCodec.encode(task);

    assertSameTask(EnvelopeCodec.decodeTask(bytes), task);
    assertThat(bytes).startsWith('B', 'T', EnvelopeCodec.VERSION);
  }

  @Test
  void task_refusesATraceparentInItsOptions_whichTheWireWouldDrop() {
    TaskEnvelope full = fullTask();
    TaskOptions traced =
        full.options().toBuilder()
            .traceparent(
                TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
            .build();

    assertThatThrownBy(
            () ->
                new TaskEnvelope(
                    full.version(),
                    full.key(),
                    full.queue(),
                    full.marshallerId(),
                    full.reportMarshallerId(),
                    full.arguments(),
                    full.attempt(),
                    traced,
                    full.createdAt(),
                    full.traceparent(),
                    full.replyTo()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("envelope's traceparent field");
  }

  @Test
  void task_keepsATraceparentThatDoesNotParse_forTheWorkerToReplace() {
    TaskEnvelope full = fullTask();
    TaskEnvelope odd =
        new TaskEnvelope(
            full.version(),
            full.key(),
            full.queue(),
            full.marshallerId(),
            full.reportMarshallerId(),
            full.arguments(),
            full.attempt(),
            full.options(),
            full.createdAt(),
            "01-not-a-trace\u0000",
            full.replyTo());

    assertThat(EnvelopeCodec.decodeTask(EnvelopeCodec.encode(odd)).traceparent())
        .isEqualTo("01-not-a-trace\u0000");
  }

  @Test
  void task_roundTrips_withNothingOptional_compactly() {
    TaskEnvelope task = minimalTask();
    byte[] bytes = EnvelopeCodec.encode(task);

    assertSameTask(EnvelopeCodec.decodeTask(bytes), task);
    assertThat(bytes.length).isLessThan(48);
  }

  @Test
  void task_roundTrips_extremeValues() {
    TaskOptions options =
        TaskOptions.builder()
            .timeout(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))
            .retry(new RetryPolicy(Integer.MAX_VALUE, Duration.ZERO, 1.0, Duration.ZERO, 1.0))
            .eta(Instant.MIN)
            .priority(TaskOptions.MAX_PRIORITY)
            .resultExpiry(Duration.ofNanos(1))
            .build();
    TaskEnvelope task =
        new TaskEnvelope(
            1,
            new TaskKey("n", "i"),
            "q",
            Integer.MIN_VALUE,
            Integer.MAX_VALUE,
            new byte[300],
            Integer.MAX_VALUE,
            options,
            Instant.MAX.minusSeconds(1),
            "",
            "");

    assertSameTask(EnvelopeCodec.decodeTask(EnvelopeCodec.encode(task)), task);
  }

  @Test
  void report_roundTrips_withEveryFieldSet_andWithNone() {
    for (ReportEnvelope report : List.of(fullReport(), minimalReport())) {
      byte[] bytes = EnvelopeCodec.encode(report);
      assertSameReport(EnvelopeCodec.decodeReport(bytes), report);
      assertThat(bytes).startsWith('B', 'R', EnvelopeCodec.VERSION);
    }
  }

  @Test
  void report_keepsEmptyValueApartFromNoValue_andEveryStatusAndCode() {
    for (ReportStatus status : ReportStatus.values()) {
      for (ErrorCode code : ErrorCode.values()) {
        ReportEnvelope report =
            new ReportEnvelope(
                1,
                new TaskKey("a", "b"),
                status,
                1,
                1,
                new byte[0],
                new TaskError(code, ""),
                null,
                CREATED,
                CREATED);
        ReportEnvelope decoded = EnvelopeCodec.decodeReport(EnvelopeCodec.encode(report));
        assertSameReport(decoded, report);
        assertThat(decoded.value()).isNotNull().isEmpty();
      }
    }
  }

  @Test
  void encode_refusesAVersionItDoesNotWrite() {
    TaskEnvelope task = fullTask();
    TaskEnvelope other =
        new TaskEnvelope(
            2,
            task.key(),
            task.queue(),
            0,
            0,
            new byte[0],
            1,
            TaskOptions.DEFAULTS,
            CREATED,
            null,
            null);

    assertThatThrownBy(() -> EnvelopeCodec.encode(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 1");
  }

  @Test
  void peekKey_readsTheHeaderOnly_andNeverThrows() {
    byte[] bytes = EnvelopeCodec.encode(fullTask());
    byte[] headerOnly = Arrays.copyOf(bytes, 3 + 1 + "billing.charge".length() + 1 + 36);

    assertThat(EnvelopeCodec.peekKey(bytes)).isEqualTo(fullTask().key());
    assertThat(EnvelopeCodec.peekKey(headerOnly)).isEqualTo(fullTask().key());
    assertThat(EnvelopeCodec.peekKey(Arrays.copyOf(headerOnly, headerOnly.length - 1))).isNull();
    assertThat(EnvelopeCodec.peekKey(EnvelopeCodec.encode(fullReport()))).isNull();
    assertThat(EnvelopeCodec.peekKey(new byte[0])).isNull();
    assertThat(EnvelopeCodec.peekKey("{\"json\":true}".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  // --- hostile input: the shape of every failure -------------------------------------------------

  @Test
  void everyTruncation_failsWithADecodeException() {
    for (byte[] bytes :
        List.of(EnvelopeCodec.encode(fullTask()), EnvelopeCodec.encode(minimalTask()))) {
      for (int length = 0; length < bytes.length; length++) {
        byte[] prefix = Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> EnvelopeCodec.decodeTask(prefix))
            .as("task prefix of %d bytes", length)
            .isInstanceOf(EnvelopeDecodeException.class)
            .hasMessageContaining("truncated");
      }
    }
    for (byte[] bytes :
        List.of(EnvelopeCodec.encode(fullReport()), EnvelopeCodec.encode(minimalReport()))) {
      for (int length = 0; length < bytes.length; length++) {
        byte[] prefix = Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> EnvelopeCodec.decodeReport(prefix))
            .as("report prefix of %d bytes", length)
            .isInstanceOf(EnvelopeDecodeException.class)
            .hasMessageContaining("truncated");
      }
    }
  }

  @Test
  void trailingBytes_areRefused() {
    byte[] bytes = EnvelopeCodec.encode(minimalTask());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(longer))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("trailing bytes");
  }

  @Test
  void badMagic_andUnsupportedVersion_areNamed() {
    byte[] report = EnvelopeCodec.encode(minimalReport());
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(report))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("bad magic");
    byte[] task = EnvelopeCodec.encode(minimalTask());
    assertThatThrownBy(() -> EnvelopeCodec.decodeReport(task))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("bad magic");

    byte[] version2 = task.clone();
    version2[2] = 2;
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(version2))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("unsupported version 2");
    assertThat(EnvelopeCodec.peekKey(version2)).isNull();
  }

  @Test
  void aHugeDeclaredLength_failsWithoutAllocatingIt() {
    // A name claiming 2 GiB - 2 bytes; with the limit lifted, only the remaining-bytes check stops
    // it. Were it allocated, this test would die of OutOfMemoryError.
    byte[] bytes = new Wire().header('T').unsigned(Integer.MAX_VALUE - 1).raw(1, 2, 3).bytes();

    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(bytes, Integer.MAX_VALUE))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("name")
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(bytes))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("name")
        .hasMessageContaining("past limit " + EnvelopeCodec.DEFAULT_MAX_PAYLOAD_BYTES);
  }

  @Test
  void argumentsAndValues_areCappedAtThePayloadLimit() {
    TaskEnvelope task = withArguments(new byte[2_000]);
    byte[] bytes = EnvelopeCodec.encode(task);

    assertThat(EnvelopeCodec.decodeTask(bytes, 2_000).arguments()).hasSize(2_000);
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(bytes, 1_999))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("arguments: length 2000 past limit 1999");

    ReportEnvelope report =
        new ReportEnvelope(
            1,
            new TaskKey("a", "b"),
            ReportStatus.SUCCESS,
            1,
            0,
            new byte[500],
            null,
            null,
            CREATED,
            CREATED);
    byte[] reportBytes = EnvelopeCodec.encode(report);
    assertThatThrownBy(() -> EnvelopeCodec.decodeReport(reportBytes, 499))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("value: length 500 past limit 499");
    assertThatThrownBy(() -> EnvelopeCodec.decodeReport(reportBytes, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNegativeLength_isNamed() {
    byte[] bytes = new Wire().header('T').unsigned(-5).bytes();

    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(bytes))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("name: negative length -5");
  }

  @Test
  void malformedVarints_andInvalidUtf8_areNamed() {
    byte[] longVarint =
        new Wire()
            .header('T')
            .raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1)
            .bytes();
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(longVarint))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("malformed varint");

    byte[] badUtf8 = new Wire().header('T').unsigned(2).raw(0xC3, 0x28).bytes();
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(badUtf8))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("name: invalid UTF-8");
  }

  @Test
  void invalidFieldValues_failWithTheRecordsReason() {
    assertTaskRefused(w -> w.taskFlags(0b100), "task flags: unknown bits 0x4");
    assertTaskRefused(w -> w.attempt(0), "attempt must be at least 1");
    assertTaskRefused(w -> w.priority(12), "priority must be within 0..9, got 12");
    assertTaskRefused(w -> w.optionFlags(0x80), "options flags: unknown bits 0x80");
    assertTaskRefused(w -> w.optionFlags(0b1_0000).countdown(5), "resolve the countdown");
    assertTaskRefused(w -> w.optionFlags(0b1000).eta(Long.MAX_VALUE), "options.eta");
    assertTaskRefused(w -> w.createdAt(0, 1_000_000_000), "createdAt nanos");
    assertTaskRefused(w -> w.multiplier(Double.NaN), "options.retry: invalid value");
    assertTaskRefused(w -> w.maxAttempts(0), "options.retry: invalid value");
    assertTaskRefused(w -> w.resultExpiry(0), "resultExpiry must be positive");
    assertTaskRefused(
        w -> w.createdAt(Instant.MAX.getEpochSecond(), 0).resultExpiry(1),
        "createdAt + resultExpiry is past the range of Instant");
    assertTaskRefused(w -> w.optionFlags(0b100).timeout(-1), "timeout must be positive");
    assertTaskRefused(w -> w.optionFlags(0b10_0000).optionQueue(" "), "queue must not be blank");

    assertThat(EnvelopeCodec.decodeReport(new ReportWire().bytes()).status())
        .isEqualTo(ReportStatus.SUCCESS);
    assertThatThrownBy(() -> EnvelopeCodec.decodeReport(new ReportWire().status(5).bytes()))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("status: invalid enum ordinal 5");
    assertThatThrownBy(
            () -> EnvelopeCodec.decodeReport(new ReportWire().flags(0b10).errorCode(11).bytes()))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("error.code: invalid enum ordinal 11");
    assertThatThrownBy(
            () -> EnvelopeCodec.decodeReport(new ReportWire().flags(0b100).percent(101).bytes()))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("percent must be within 0..100");
    assertThatThrownBy(() -> EnvelopeCodec.decodeReport(new ReportWire().flags(0b1000).bytes()))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining("report flags: unknown bits 0x8");
  }

  private static void assertTaskRefused(Consumer<TaskWire> change, String reason) {
    TaskWire valid = new TaskWire();
    assertThat(EnvelopeCodec.decodeTask(valid.bytes()).key()).isEqualTo(new TaskKey("n", "i"));
    TaskWire wire = new TaskWire();
    change.accept(wire);
    assertThatThrownBy(() -> EnvelopeCodec.decodeTask(wire.bytes()))
        .isInstanceOf(EnvelopeDecodeException.class)
        .hasMessageContaining(reason);
  }

  // --- hostile input: fuzzing -------------------------------------------------------------------

  @Test
  void randomGarbage_neverThrowsAnythingButADecodeException() {
    Random random = new Random(0xBA70L);
    byte[][] prefixes = {
      {}, {'B', 'T'}, {'B', 'T', 1}, {'B', 'R', 1}, {'B', 'T', 1, 1, 'n', 1, 'i', 0}
    };
    for (int i = 0; i < 20_000; i++) {
      byte[] prefix = prefixes[i % prefixes.length];
      byte[] garbage = new byte[prefix.length + random.nextInt(96)];
      random.nextBytes(garbage);
      System.arraycopy(prefix, 0, garbage, 0, prefix.length);
      decodeEveryWay(garbage);
    }
  }

  @Test
  void everySingleByteMutationOfValidEncodings_neverThrowsAnythingButADecodeException() {
    List<byte[]> tasks =
        List.of(EnvelopeCodec.encode(fullTask()), EnvelopeCodec.encode(minimalTask()));
    List<byte[]> reports =
        List.of(EnvelopeCodec.encode(fullReport()), EnvelopeCodec.encode(minimalReport()));
    for (byte[] bytes : tasks) {
      forEverySingleByteMutation(bytes, EnvelopeCodecTest::decodeAsTask);
    }
    for (byte[] bytes : reports) {
      forEverySingleByteMutation(bytes, EnvelopeCodecTest::decodeAsReport);
    }
    // And thousands of multi-byte mutations and truncations, seeded, decoded every way.
    List<byte[]> valid = List.of(tasks.get(0), tasks.get(1), reports.get(0), reports.get(1));
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] mutated = valid.get(i % valid.size()).clone();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
      }
      decodeEveryWay(Arrays.copyOf(mutated, random.nextInt(mutated.length + 3)));
    }
  }

  private static void forEverySingleByteMutation(byte[] bytes, Consumer<byte[]> decode) {
    for (int position = 0; position < bytes.length; position++) {
      for (int value = 0; value < 256; value++) {
        if (value != (bytes[position] & 0xFF)) {
          byte[] mutated = bytes.clone();
          mutated[position] = (byte) value;
          decode.accept(mutated);
        }
      }
    }
  }

  private static void decodeAsTask(byte[] bytes) {
    try {
      EnvelopeCodec.decodeTask(bytes);
    } catch (EnvelopeDecodeException expected) {
      requireMessage(expected);
    } catch (Throwable e) {
      fail("decodeTask threw " + e + " for " + Arrays.toString(bytes), e);
    }
    try {
      EnvelopeCodec.peekKey(bytes);
    } catch (Throwable e) {
      fail("peekKey threw " + e + " for " + Arrays.toString(bytes), e);
    }
  }

  private static void decodeAsReport(byte[] bytes) {
    try {
      EnvelopeCodec.decodeReport(bytes);
    } catch (EnvelopeDecodeException expected) {
      requireMessage(expected);
    } catch (Throwable e) {
      fail("decodeReport threw " + e + " for " + Arrays.toString(bytes), e);
    }
  }

  private static void decodeEveryWay(byte[] bytes) {
    try {
      EnvelopeCodec.decodeTask(bytes);
    } catch (EnvelopeDecodeException expected) {
      requireMessage(expected);
    } catch (Throwable e) {
      fail("decodeTask threw " + e + " for " + Arrays.toString(bytes), e);
    }
    try {
      EnvelopeCodec.decodeTask(bytes, 16);
    } catch (EnvelopeDecodeException expected) {
      requireMessage(expected);
    } catch (Throwable e) {
      fail("decodeTask(16) threw " + e + " for " + Arrays.toString(bytes), e);
    }
    try {
      EnvelopeCodec.decodeReport(bytes);
    } catch (EnvelopeDecodeException expected) {
      requireMessage(expected);
    } catch (Throwable e) {
      fail("decodeReport threw " + e + " for " + Arrays.toString(bytes), e);
    }
    try {
      EnvelopeCodec.peekKey(bytes);
    } catch (Throwable e) {
      fail("peekKey threw " + e + " for " + Arrays.toString(bytes), e);
    }
  }

  private static void requireMessage(EnvelopeDecodeException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      fail("a decode exception without a message", e);
    }
  }

  private static TaskEnvelope withArguments(byte[] arguments) {
    return new TaskEnvelope(
        1,
        new TaskKey("t", "1"),
        "t",
        0,
        0,
        arguments,
        1,
        TaskOptions.DEFAULTS,
        CREATED,
        null,
        null);
  }

  // --- a hand-written encoder of the format, to build precise invalid inputs ---------------------

  /** Raw writing of the documented wire format. */
  static class Wire {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Wire header(char kind) {
      return raw('B', kind, EnvelopeCodec.VERSION);
    }

    Wire raw(int... values) {
      for (int value : values) {
        out.write(value);
      }
      return this;
    }

    Wire unsigned(long value) {
      long rest = value & 0xFFFF_FFFFL;
      while ((rest & ~0x7FL) != 0) {
        out.write((int) ((rest & 0x7F) | 0x80));
        rest >>>= 7;
      }
      out.write((int) rest);
      return this;
    }

    Wire unsignedLong(long value) {
      long rest = value;
      while ((rest & ~0x7FL) != 0) {
        out.write((int) ((rest & 0x7F) | 0x80));
        rest >>>= 7;
      }
      out.write((int) rest);
      return this;
    }

    Wire signed(long value) {
      return unsignedLong((value << 1) ^ (value >> 63));
    }

    Wire string(String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      unsigned(bytes.length);
      out.writeBytes(bytes);
      return this;
    }

    Wire time(long seconds, int nanos) {
      return signed(seconds).unsigned(nanos);
    }

    Wire doubleBits(double value) {
      long bits = Double.doubleToRawLongBits(value);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (bits >>> shift) & 0xFF);
      }
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** A task in the wire format, valid unless a setter says otherwise. */
  static final class TaskWire {
    int taskFlags;
    int attempt = 1;
    long createdSeconds;
    int createdNanos;
    int optionFlags;
    long timeoutSeconds = 1;
    int maxAttempts = 1;
    double multiplier = 1.0;
    long etaSeconds;
    long countdownSeconds;
    int priority;
    String optionQueue = "q";
    long resultExpirySeconds = 60;

    TaskWire taskFlags(int value) {
      taskFlags = value;
      return this;
    }

    TaskWire attempt(int value) {
      attempt = value;
      return this;
    }

    TaskWire createdAt(long seconds, int nanos) {
      createdSeconds = seconds;
      createdNanos = nanos;
      return this;
    }

    TaskWire optionFlags(int value) {
      optionFlags = value;
      return this;
    }

    TaskWire timeout(long seconds) {
      timeoutSeconds = seconds;
      return this;
    }

    TaskWire maxAttempts(int value) {
      maxAttempts = value;
      return this;
    }

    TaskWire multiplier(double value) {
      multiplier = value;
      return this;
    }

    TaskWire eta(long seconds) {
      etaSeconds = seconds;
      return this;
    }

    TaskWire countdown(long seconds) {
      countdownSeconds = seconds;
      return this;
    }

    TaskWire priority(int value) {
      priority = value;
      return this;
    }

    TaskWire optionQueue(String value) {
      optionQueue = value;
      return this;
    }

    TaskWire resultExpiry(long seconds) {
      resultExpirySeconds = seconds;
      return this;
    }

    byte[] bytes() {
      Wire w = new Wire().header('T').string("n").string("i").raw(taskFlags);
      w.string("q").signed(0).signed(0).unsigned(0).unsigned(attempt);
      w.time(createdSeconds, createdNanos).raw(optionFlags);
      if ((optionFlags & 0b100) != 0) {
        w.time(timeoutSeconds, 0);
      }
      w.unsigned(maxAttempts).time(0, 0).doubleBits(multiplier).time(0, 0).doubleBits(0.0);
      if ((optionFlags & 0b1000) != 0) {
        w.time(etaSeconds, 0);
      }
      if ((optionFlags & 0b1_0000) != 0) {
        w.time(countdownSeconds, 0);
      }
      w.unsigned(priority);
      if ((optionFlags & 0b10_0000) != 0) {
        w.string(optionQueue);
      }
      if ((optionFlags & 0b100_0000) != 0) {
        w.string("k");
      }
      w.time(resultExpirySeconds, 0);
      if ((taskFlags & 1) != 0) {
        w.string("tp");
      }
      if ((taskFlags & 2) != 0) {
        w.string("reply");
      }
      return w.bytes();
    }
  }

  /** A report in the wire format, valid unless a setter says otherwise. */
  static final class ReportWire {
    int flags;
    int status = 3;
    int errorCode;
    int percent = 50;

    ReportWire flags(int value) {
      flags = value;
      return this;
    }

    ReportWire status(int value) {
      status = value;
      return this;
    }

    ReportWire errorCode(int value) {
      errorCode = value;
      return this;
    }

    ReportWire percent(int value) {
      percent = value;
      return this;
    }

    byte[] bytes() {
      Wire w = new Wire().header('R').string("n").string("i").raw(flags);
      w.unsigned(status).signed(1).signed(0);
      if ((flags & 1) != 0) {
        w.string("v");
      }
      if ((flags & 2) != 0) {
        w.unsigned(errorCode).string("boom");
      }
      if ((flags & 4) != 0) {
        w.unsigned(percent).string("p");
      }
      return w.time(0, 0).time(0, 0).bytes();
    }
  }
}
