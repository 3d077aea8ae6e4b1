package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Progress;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one wire format of {@link TaskEnvelope} and {@link ReportEnvelope}, shared by every adapter,
 * so that any broker pairs with any backend.
 *
 * <h2>Format, version 1</h2>
 *
 * <p>Every encoding starts with a two-byte magic ({@code 'B','T'} for a task, {@code 'B','R'} for a
 * report) and the version byte. Integers are LEB128 varints (signed ones zig-zag encoded); strings
 * are UTF-8 with a varint byte-length prefix; byte arrays likewise; an {@link Instant} is its epoch
 * second (signed varint) and nano-of-second (varint); a {@link Duration} is its seconds (signed
 * varint) and nano-of-second; a {@code double} is its eight IEEE 754 bytes, big-endian; an enum is
 * its fixed wire ordinal as a varint (declaration order in version 1, pinned by the codec).
 * Nullable fields are announced by presence bits in a flags byte and absent from the stream when
 * null. A task is:
 *
 * <pre>
 * 'B' 'T' version
 * name id                                  (the key first, so {@link #peekKey} reads only the header)
 * flags(bit 0 traceparent, bit 1 replyTo)
 * queue marshallerId reportMarshallerId arguments attempt createdAt
 * options: flags(bit 0 ignoreReport, 1 monitorProgress, 2 timeout, 3 eta, 4 countdown, 5 queue,
 *                6 idempotencyKey)
 *          [timeout] retry(maxAttempts initialBackoff multiplier maxBackoff jitter)
 *          [eta] [countdown] priority [queue] [idempotencyKey] resultExpiry
 * [traceparent] [replyTo]
 * </pre>
 *
 * and a report is:
 *
 * <pre>
 * 'B' 'R' version
 * name id
 * flags(bit 0 value, bit 1 error, bit 2 progress)
 * status attempt marshallerId [value] [error(code message)] [progress(percent message)] at expiresAt
 * </pre>
 *
 * and a worker's heartbeat (which brokers store for {@link BrokerInspection#workers()}) is:
 *
 * <pre>
 * 'B' 'H' version
 * workerId busy capacity at queueCount queue...   (queues sorted)
 * </pre>
 *
 * <p>Nothing may follow the last field. A later version may add fields; a decoder refuses versions
 * it does not know rather than guess.
 *
 * <h2>Untrusted input</h2>
 *
 * <p>The decoders read bytes from the wire and treat them as hostile: every failure is an {@link
 * EnvelopeDecodeException} naming the field and the reason (truncated, bad magic, unsupported
 * version, a length that is negative or past the limit or past the end of the input, an enum
 * ordinal out of range, malformed UTF-8, trailing bytes, or values the records refuse, such as a
 * priority of 12). No decoder allocates more than the input it was given: every length is checked
 * against the bytes that remain before anything is allocated. Strings and byte arrays (arguments,
 * return values, messages) are also capped at a payload limit, {@link #DEFAULT_MAX_PAYLOAD_BYTES}
 * unless an overload is given another.
 *
 * <p>The encoders do not apply the limit: the caller checks payload sizes where it can fail the
 * call with {@link ErrorCode#TOO_LARGE}, and the receiving side's decoder enforces its own limit.
 *
 * <p>Stateless and thread-safe.
 */
public final class EnvelopeCodec {

  /** The format version this codec writes, and the only one it reads. */
  public static final int VERSION = 1;

  /** The default cap, in bytes, on any one string or byte array of an envelope: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

  private static final byte MAGIC_0 = 'B';
  private static final byte TASK_MAGIC_1 = 'T';
  private static final byte REPORT_MAGIC_1 = 'R';
  private static final byte HEARTBEAT_MAGIC_1 = 'H';

  private static final int TASK_TRACEPARENT = 1;
  private static final int TASK_REPLY_TO = 1 << 1;
  private static final int TASK_FLAGS = TASK_TRACEPARENT | TASK_REPLY_TO;

  private static final int OPTION_IGNORE_REPORT = 1;
  private static final int OPTION_MONITOR_PROGRESS = 1 << 1;
  private static final int OPTION_TIMEOUT = 1 << 2;
  private static final int OPTION_ETA = 1 << 3;
  private static final int OPTION_COUNTDOWN = 1 << 4;
  private static final int OPTION_QUEUE = 1 << 5;
  private static final int OPTION_IDEMPOTENCY_KEY = 1 << 6;
  private static final int OPTION_FLAGS = (1 << 7) - 1;

  private static final int REPORT_VALUE = 1;
  private static final int REPORT_ERROR = 1 << 1;
  private static final int REPORT_PROGRESS = 1 << 2;
  private static final int REPORT_FLAGS = REPORT_VALUE | REPORT_ERROR | REPORT_PROGRESS;

  private EnvelopeCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Tasks

  /**
   * Encodes {@code task}.
   *
   * @throws IllegalArgumentException if {@code task.version()} is not {@link #VERSION}: this codec
   *     writes only the format it reads
   */
  public static byte[] encode(TaskEnvelope task) {
    requireNonNull(task, "task");
    checkVersion(task.version());
    TaskOptions options = task.options();
    Writer out = new Writer(96 + task.arguments().length);
    out.header(TASK_MAGIC_1);
    out.string(task.name());
    out.string(task.id());
    out.flags(
        (task.traceparent() != null ? TASK_TRACEPARENT : 0)
            | (task.replyTo() != null ? TASK_REPLY_TO : 0));
    out.string(task.queue());
    out.signedInt(task.marshallerId());
    out.signedInt(task.reportMarshallerId());
    out.bytes(task.arguments());
    out.unsignedInt(task.attempt());
    out.instant(task.createdAt());
    writeOptions(out, options);
    String traceparent = task.traceparent();
    if (traceparent != null) {
      out.string(traceparent);
    }
    String replyTo = task.replyTo();
    if (replyTo != null) {
      out.string(replyTo);
    }
    return out.toByteArray();
  }

  /** Decodes a task encoded by {@link #encode(TaskEnvelope)}, with the default payload limit. */
  public static TaskEnvelope decodeTask(byte[] bytes) {
    return decodeTask(bytes, DEFAULT_MAX_PAYLOAD_BYTES);
  }

  /**
   * Decodes a task encoded by {@link #encode(TaskEnvelope)}, refusing any string or byte array
   * longer than {@code maxPayloadBytes}.
   *
   * @throws EnvelopeDecodeException if {@code bytes} is not a valid task envelope of a known
   *     version; the message names the field and the reason
   * @throws IllegalArgumentException if {@code maxPayloadBytes} is not positive
   */
  public static TaskEnvelope decodeTask(byte[] bytes, int maxPayloadBytes) {
    Reader in = new Reader(bytes, maxPayloadBytes);
    int version = in.header(TASK_MAGIC_1, "task");
    TaskKey key = in.key();
    int flags = in.flags("task flags", TASK_FLAGS);
    String queue = in.string("queue");
    int marshallerId = in.signedInt("marshallerId");
    int reportMarshallerId = in.signedInt("reportMarshallerId");
    byte[] arguments = in.bytes("arguments");
    int attempt = in.unsignedInt("attempt");
    Instant createdAt = in.instant("createdAt");
    TaskOptions options = readOptions(in);
    String traceparent = (flags & TASK_TRACEPARENT) != 0 ? in.string("traceparent") : null;
    String replyTo = (flags & TASK_REPLY_TO) != 0 ? in.string("replyTo") : null;
    in.end();
    TaskEnvelope task;
    try {
      task =
          new TaskEnvelope(
              version,
              key,
              queue,
              marshallerId,
              reportMarshallerId,
              arguments,
              attempt,
              options,
              createdAt,
              traceparent,
              replyTo);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EnvelopeDecodeException("task: invalid envelope: " + e.getMessage(), e);
    }
    try {
      task.expiresAt(); // a worker reads it; it must not overflow there
    } catch (DateTimeException | ArithmeticException e) {
      throw new EnvelopeDecodeException(
          "options.resultExpiry: createdAt + resultExpiry is past the range of Instant", e);
    }
    return task;
  }

  /**
   * Reads the key of a task envelope without decoding the rest: best effort, for naming a dead
   * letter whose body does not decode in full.
   *
   * @return the key if the magic, the version and the key decode; otherwise {@code null} (never
   *     throws on bad input)
   */
  public static @Nullable TaskKey peekKey(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    try {
      Reader in = new Reader(bytes, DEFAULT_MAX_PAYLOAD_BYTES);
      in.header(TASK_MAGIC_1, "task");
      return in.key();
    } catch (EnvelopeDecodeException e) {
      return null;
    }
  }

  private static void writeOptions(Writer out, TaskOptions options) {
    Duration timeout = options.timeout();
    Instant eta = options.eta();
    Duration countdown = options.countdown();
    String queue = options.queue();
    String idempotencyKey = options.idempotencyKey();
    out.flags(
        (options.ignoreReport() ? OPTION_IGNORE_REPORT : 0)
            | (options.monitorProgress() ? OPTION_MONITOR_PROGRESS : 0)
            | (timeout != null ? OPTION_TIMEOUT : 0)
            | (eta != null ? OPTION_ETA : 0)
            | (countdown != null ? OPTION_COUNTDOWN : 0)
            | (queue != null ? OPTION_QUEUE : 0)
            | (idempotencyKey != null ? OPTION_IDEMPOTENCY_KEY : 0));
    if (timeout != null) {
      out.duration(timeout);
    }
    RetryPolicy retry = options.retry();
    out.unsignedInt(retry.maxAttempts());
    out.duration(retry.initialBackoff());
    out.doubleBits(retry.multiplier());
    out.duration(retry.maxBackoff());
    out.doubleBits(retry.jitter());
    if (eta != null) {
      out.instant(eta);
    }
    if (countdown != null) {
      out.duration(countdown);
    }
    out.unsignedInt(options.priority());
    if (queue != null) {
      out.string(queue);
    }
    if (idempotencyKey != null) {
      out.string(idempotencyKey);
    }
    out.duration(options.resultExpiry());
  }

  private static TaskOptions readOptions(Reader in) {
    int flags = in.flags("options flags", OPTION_FLAGS);
    Duration timeout = (flags & OPTION_TIMEOUT) != 0 ? in.duration("options.timeout") : null;
    int maxAttempts = in.unsignedInt("options.retry.maxAttempts");
    Duration initialBackoff = in.duration("options.retry.initialBackoff");
    double multiplier = in.doubleBits("options.retry.multiplier");
    Duration maxBackoff = in.duration("options.retry.maxBackoff");
    double jitter = in.doubleBits("options.retry.jitter");
    Instant eta = (flags & OPTION_ETA) != 0 ? in.instant("options.eta") : null;
    Duration countdown = (flags & OPTION_COUNTDOWN) != 0 ? in.duration("options.countdown") : null;
    int priority = in.unsignedInt("options.priority");
    String queue = (flags & OPTION_QUEUE) != 0 ? in.string("options.queue") : null;
    String idempotencyKey =
        (flags & OPTION_IDEMPOTENCY_KEY) != 0 ? in.string("options.idempotencyKey") : null;
    Duration resultExpiry = in.duration("options.resultExpiry");
    RetryPolicy retry;
    try {
      retry = new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EnvelopeDecodeException("options.retry: invalid value: " + e.getMessage(), e);
    }
    try {
      return new TaskOptions(
          (flags & OPTION_IGNORE_REPORT) != 0,
          (flags & OPTION_MONITOR_PROGRESS) != 0,
          timeout,
          retry,
          eta,
          countdown,
          priority,
          queue,
          idempotencyKey,
          resultExpiry,
          null); // the trace travels in the envelope's own traceparent field
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EnvelopeDecodeException("options: invalid value: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reports

  /**
   * Encodes {@code report}.
   *
   * @throws IllegalArgumentException if {@code report.version()} is not {@link #VERSION}
   */
  public static byte[] encode(ReportEnvelope report) {
    requireNonNull(report, "report");
    checkVersion(report.version());
    byte[] value = report.value();
    TaskError error = report.error();
    Progress progress = report.progress();
    Writer out = new Writer(64 + (value != null ? value.length : 0));
    out.header(REPORT_MAGIC_1);
    out.string(report.key().name());
    out.string(report.key().id());
    out.flags(
        (value != null ? REPORT_VALUE : 0)
            | (error != null ? REPORT_ERROR : 0)
            | (progress != null ? REPORT_PROGRESS : 0));
    out.unsignedInt(wireCode(report.status()));
    out.signedInt(report.attempt());
    out.signedInt(report.marshallerId());
    if (value != null) {
      out.bytes(value);
    }
    if (error != null) {
      out.unsignedInt(wireCode(error.code()));
      out.string(error.message());
    }
    if (progress != null) {
      out.unsignedInt(progress.percent());
      out.string(progress.message());
    }
    out.instant(report.at());
    out.instant(report.expiresAt());
    return out.toByteArray();
  }

  /** Decodes a report encoded by {@link #encode(ReportEnvelope)}, with the default limit. */
  public static ReportEnvelope decodeReport(byte[] bytes) {
    return decodeReport(bytes, DEFAULT_MAX_PAYLOAD_BYTES);
  }

  /**
   * Decodes a report encoded by {@link #encode(ReportEnvelope)}, refusing any string or byte array
   * longer than {@code maxPayloadBytes}.
   *
   * @throws EnvelopeDecodeException if {@code bytes} is not a valid report envelope of a known
   *     version; the message names the field and the reason
   * @throws IllegalArgumentException if {@code maxPayloadBytes} is not positive
   */
  public static ReportEnvelope decodeReport(byte[] bytes, int maxPayloadBytes) {
    Reader in = new Reader(bytes, maxPayloadBytes);
    int version = in.header(REPORT_MAGIC_1, "report");
    TaskKey key = in.key();
    int flags = in.flags("report flags", REPORT_FLAGS);
    ReportStatus status = status(in.unsignedInt("status"));
    int attempt = in.signedInt("attempt");
    int marshallerId = in.signedInt("marshallerId");
    byte[] value = (flags & REPORT_VALUE) != 0 ? in.bytes("value") : null;
    TaskError error = null;
    if ((flags & REPORT_ERROR) != 0) {
      ErrorCode code = errorCode(in.unsignedInt("error.code"));
      error = new TaskError(code, in.string("error.message"));
    }
    Progress progress = null;
    if ((flags & REPORT_PROGRESS) != 0) {
      int percent = in.unsignedInt("progress.percent");
      String message = in.string("progress.message");
      try {
        progress = new Progress(percent, message);
      } catch (IllegalArgumentException e) {
        throw new EnvelopeDecodeException("progress: invalid value: " + e.getMessage(), e);
      }
    }
    Instant at = in.instant("at");
    Instant expiresAt = in.instant("expiresAt");
    in.end();
    try {
      return new ReportEnvelope(
          version, key, status, attempt, marshallerId, value, error, progress, at, expiresAt);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EnvelopeDecodeException("report: invalid envelope: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Heartbeats

  /** Encodes {@code heartbeat}, its queues sorted (so equal heartbeats encode equally). */
  public static byte[] encode(WorkerHeartbeat heartbeat) {
    requireNonNull(heartbeat, "heartbeat");
    Writer out = new Writer(64);
    out.header(HEARTBEAT_MAGIC_1);
    out.string(heartbeat.workerId());
    out.signedInt(heartbeat.busy());
    out.signedInt(heartbeat.capacity());
    out.instant(heartbeat.at());
    List<String> queues = new ArrayList<>(heartbeat.queues());
    queues.sort(Comparator.naturalOrder());
    out.unsignedInt(queues.size());
    for (String queue : queues) {
      out.string(queue);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a heartbeat encoded by {@link #encode(WorkerHeartbeat)}.
   *
   * @throws EnvelopeDecodeException if {@code bytes} is not a valid heartbeat of a known version
   */
  public static WorkerHeartbeat decodeHeartbeat(byte[] bytes) {
    Reader in = new Reader(bytes, DEFAULT_MAX_PAYLOAD_BYTES);
    in.header(HEARTBEAT_MAGIC_1, "heartbeat");
    String workerId = in.string("workerId");
    int busy = in.signedInt("busy");
    int capacity = in.signedInt("capacity");
    Instant at = in.instant("at");
    int count = in.unsignedInt("queue count");
    if (count > bytes.length) { // each queue takes at least one byte: no allocation past the input
      throw new EnvelopeDecodeException(
          "queue count: " + Integer.toUnsignedString(count) + " past the end of the input");
    }
    Set<String> queues = new HashSet<>();
    for (int i = 0; i < count; i++) {
      queues.add(in.string("queue"));
    }
    in.end();
    return new WorkerHeartbeat(workerId, queues, busy, capacity, at);
  }

  // Enums travel as fixed wire ordinals, not Enum.ordinal(): reordering the Java enums must not
  // change the format, and a new constant fails to compile here until it is given a code.

  private static int wireCode(ReportStatus status) {
    return switch (status) {
      case SENT -> 0;
      case PROGRESS -> 1;
      case RETRY -> 2;
      case SUCCESS -> 3;
      case FAIL -> 4;
    };
  }

  private static ReportStatus status(int code) {
    return switch (code) {
      case 0 -> ReportStatus.SENT;
      case 1 -> ReportStatus.PROGRESS;
      case 2 -> ReportStatus.RETRY;
      case 3 -> ReportStatus.SUCCESS;
      case 4 -> ReportStatus.FAIL;
      default -> throw invalidOrdinal("status", code);
    };
  }

  private static int wireCode(ErrorCode code) {
    return switch (code) {
      case GENERIC -> 0;
      case PANIC -> 1;
      case SHUTDOWN -> 2;
      case UNKNOWN_TASK -> 3;
      case BAD_ARGUMENTS -> 4;
      case TASK_FAILED -> 5;
      case TIMEOUT -> 6;
      case DECODE -> 7;
      case REVOKED -> 8;
      case EXPIRED -> 9;
      case TOO_LARGE -> 10;
    };
  }

  private static ErrorCode errorCode(int code) {
    return switch (code) {
      case 0 -> ErrorCode.GENERIC;
      case 1 -> ErrorCode.PANIC;
      case 2 -> ErrorCode.SHUTDOWN;
      case 3 -> ErrorCode.UNKNOWN_TASK;
      case 4 -> ErrorCode.BAD_ARGUMENTS;
      case 5 -> ErrorCode.TASK_FAILED;
      case 6 -> ErrorCode.TIMEOUT;
      case 7 -> ErrorCode.DECODE;
      case 8 -> ErrorCode.REVOKED;
      case 9 -> ErrorCode.EXPIRED;
      case 10 -> ErrorCode.TOO_LARGE;
      default -> throw invalidOrdinal("error.code", code);
    };
  }

  private static EnvelopeDecodeException invalidOrdinal(String field, int code) {
    return new EnvelopeDecodeException(
        field + ": invalid enum ordinal " + Integer.toUnsignedString(code));
  }

  private static void checkVersion(int version) {
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "this codec writes version " + VERSION + " only; the envelope says " + version);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Primitives

  /** An unsynchronized growable byte buffer. */
  private static final class Writer {
    private byte[] buffer;
    private int size;

    Writer(int initialCapacity) {
      buffer = new byte[Math.max(16, initialCapacity)];
    }

    void header(byte magic1) {
      ensure(3);
      buffer[size++] = MAGIC_0;
      buffer[size++] = magic1;
      buffer[size++] = (byte) VERSION;
    }

    void flags(int flags) {
      ensure(1);
      buffer[size++] = (byte) flags;
    }

    void unsignedInt(int value) {
      unsignedLong(value & 0xFFFF_FFFFL);
    }

    void signedInt(int value) {
      unsignedInt((value << 1) ^ (value >> 31));
    }

    void signedLong(long value) {
      unsignedLong((value << 1) ^ (value >> 63));
    }

    void unsignedLong(long value) {
      ensure(10);
      long rest = value;
      while ((rest & ~0x7FL) != 0) {
        buffer[size++] = (byte) ((rest & 0x7F) | 0x80);
        rest >>>= 7;
      }
      buffer[size++] = (byte) rest;
    }

    void doubleBits(double value) {
      long bits = Double.doubleToRawLongBits(value);
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buffer[size++] = (byte) (bits >>> shift);
      }
    }

    void instant(Instant value) {
      signedLong(value.getEpochSecond());
      unsignedInt(value.getNano());
    }

    void duration(Duration value) {
      signedLong(value.getSeconds());
      unsignedInt(value.getNano());
    }

    void string(String value) {
      bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] value) {
      unsignedInt(value.length);
      ensure(value.length);
      System.arraycopy(value, 0, buffer, size, value.length);
      size += value.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
      if (buffer.length - size < more) {
        long wanted = Math.max((long) buffer.length * 2, (long) size + more);
        if (wanted > Integer.MAX_VALUE - 8) {
          if ((long) size + more > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("envelope too large to encode");
          }
          wanted = Integer.MAX_VALUE - 8;
        }
        buffer = Arrays.copyOf(buffer, (int) wanted);
      }
    }
  }

  /** Reads fields from untrusted bytes; every failure is an {@link EnvelopeDecodeException}. */
  private static final class Reader {
    private final byte[] bytes;
    private final int maxPayloadBytes;
    private int position;

    Reader(byte[] bytes, int maxPayloadBytes) {
      this.bytes = requireNonNull(bytes, "bytes");
      if (maxPayloadBytes <= 0) {
        throw new IllegalArgumentException(
            "maxPayloadBytes must be positive, got " + maxPayloadBytes);
      }
      this.maxPayloadBytes = maxPayloadBytes;
    }

    int header(byte magic1, String what) {
      if (bytes.length < 2) {
        throw truncated(what + " magic");
      }
      if (bytes[0] != MAGIC_0 || bytes[1] != magic1) {
        throw new EnvelopeDecodeException(
            what
                + " magic: bad magic 0x"
                + hex(bytes[0])
                + hex(bytes[1])
                + ", expected '"
                + (char) MAGIC_0
                + (char) magic1
                + "'");
      }
      position = 2;
      int version = readByte("version");
      if (version != VERSION) {
        throw new EnvelopeDecodeException(
            what
                + " version: unsupported version "
                + version
                + " (this codec reads "
                + VERSION
                + ")");
      }
      return version;
    }

    TaskKey key() {
      String name = string("name");
      String id = string("id");
      return new TaskKey(name, id);
    }

    int flags(String field, int known) {
      int flags = readByte(field);
      if ((flags & ~known) != 0) {
        throw new EnvelopeDecodeException(
            field + ": unknown bits 0x" + Integer.toHexString(flags & ~known));
      }
      return flags;
    }

    /** A varint of at most 32 significant bits, returned as the int with those bits. */
    int unsignedInt(String field) {
      long value = unsignedLong(field);
      if ((value & ~0xFFFF_FFFFL) != 0) {
        throw new EnvelopeDecodeException(field + ": malformed varint (more than 32 bits)");
      }
      return (int) value;
    }

    int signedInt(String field) {
      int raw = unsignedInt(field);
      return (raw >>> 1) ^ -(raw & 1);
    }

    long signedLong(String field) {
      long raw = unsignedLong(field);
      return (raw >>> 1) ^ -(raw & 1);
    }

    long unsignedLong(String field) {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte(field);
        if (shift == 63 && (b & 0xFE) != 0) {
          throw new EnvelopeDecodeException(field + ": malformed varint (more than 64 bits)");
        }
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new EnvelopeDecodeException(field + ": malformed varint (more than 64 bits)");
    }

    double doubleBits(String field) {
      if (bytes.length - position < 8) {
        throw truncated(field);
      }
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (bytes[position++] & 0xFF);
      }
      return Double.longBitsToDouble(bits);
    }

    Instant instant(String field) {
      long seconds = signedLong(field + " seconds");
      int nanos = nanos(field);
      try {
        return Instant.ofEpochSecond(seconds, nanos);
      } catch (DateTimeException | ArithmeticException e) {
        throw new EnvelopeDecodeException(field + ": instant out of range: " + seconds + "s", e);
      }
    }

    Duration duration(String field) {
      long seconds = signedLong(field + " seconds");
      int nanos = nanos(field);
      try {
        return Duration.ofSeconds(seconds, nanos);
      } catch (ArithmeticException e) {
        throw new EnvelopeDecodeException(field + ": duration out of range: " + seconds + "s", e);
      }
    }

    private int nanos(String field) {
      int nanos = unsignedInt(field + " nanos");
      if (nanos < 0 || nanos > 999_999_999) {
        throw new EnvelopeDecodeException(
            field + " nanos: " + Integer.toUnsignedString(nanos) + " is not within 0..999999999");
      }
      return nanos;
    }

    String string(String field) {
      int length = length(field);
      if (isAscii(position, length)) { // the common case: valid UTF-8 without a strict decoder
        String value = new String(bytes, position, length, StandardCharsets.US_ASCII);
        position += length;
        return value;
      }
      try {
        String value =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, position, length))
                .toString();
        position += length;
        return value;
      } catch (CharacterCodingException e) {
        throw new EnvelopeDecodeException(field + ": invalid UTF-8", e);
      }
    }

    private boolean isAscii(int from, int length) {
      for (int i = from, end = from + length; i < end; i++) {
        if (bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

    byte[] bytes(String field) {
      int length = length(field);
      byte[] value = Arrays.copyOfRange(bytes, position, position + length);
      position += length;
      return value;
    }

    /** A length prefix, checked against the limit and against the bytes that remain. */
    private int length(String field) {
      int length = unsignedInt(field + " length");
      if (length < 0) {
        throw new EnvelopeDecodeException(
            field + ": negative length " + length + " (" + Integer.toUnsignedString(length) + ")");
      }
      if (length > maxPayloadBytes) {
        throw new EnvelopeDecodeException(
            field + ": length " + length + " past limit " + maxPayloadBytes);
      }
      if (length > bytes.length - position) {
        throw new EnvelopeDecodeException(
            field
                + ": truncated (length "
                + length
                + ", "
                + (bytes.length - position)
                + " bytes left)");
      }
      return length;
    }

    void end() {
      if (position != bytes.length) {
        throw new EnvelopeDecodeException(
            "trailing bytes: " + (bytes.length - position) + " after the last field");
      }
    }

    private int readByte(String field) {
      if (position >= bytes.length) {
        throw truncated(field);
      }
      return bytes[position++] & 0xFF;
    }

    private EnvelopeDecodeException truncated(String field) {
      return new EnvelopeDecodeException(field + ": truncated at byte " + position);
    }

    private static String hex(byte b) {
      return String.format("%02x", b & 0xFF);
    }
  }
}
