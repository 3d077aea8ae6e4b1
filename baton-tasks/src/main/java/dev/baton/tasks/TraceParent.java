package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A W3C Trace Context {@code traceparent} (version 00): the trace a task belongs to and the span
 * that caused it. Every task envelope carries one, so a call and everything it calls share one
 * trace id across machines; tracing systems that read the header (OpenTelemetry, say) join them.
 *
 * <p>Where a call's trace comes from, in order: {@link TaskOptions.Builder#traceparent} if set;
 * else the running task's own trace when the call is made from inside a task ({@link
 * TaskContext#trace()}), so nested calls continue it; else a new trace. The worker runs each
 * attempt as a {@link #child() child span} of the caller's, which the task reads with {@link
 * TaskContext#trace()}; every attempt of a retried call is a new span of the same trace. Local mode
 * carries the trace the same way, and makes a new trace only when someone asks for it (an observer,
 * or the task's {@code trace()}).
 *
 * <p>The text form is {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}, lower case;
 * {@link #parse} accepts exactly that (the all-zero ids are invalid, as the specification says),
 * and a worker that receives a malformed value from the wire starts a new trace instead of failing
 * the task.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param parentId 16 lower-case hex digits, not all zero: the span of the sender
 * @param flags the trace flags (bit 0: sampled)
 */
public record TraceParent(String traceId, String parentId, int flags) {

  private static final int TRACE_ID_LENGTH = 32;
  private static final int PARENT_ID_LENGTH = 16;
  private static final int HEADER_LENGTH = 55; // "00-" + 32 + "-" + 16 + "-" + 2

  public TraceParent {
    requireNonNull(traceId, "traceId");
    requireNonNull(parentId, "parentId");
    checkId("trace id", traceId, TRACE_ID_LENGTH);
    checkId("parent id", parentId, PARENT_ID_LENGTH);
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("trace flags must fit one byte (0-255), were " + flags);
    }
  }

  /**
   * Parses a header value.
   *
   * @throws IllegalArgumentException naming what is wrong with the value
   */
  public static TraceParent parse(String header) {
    requireNonNull(header, "header");
    if (header.length() != HEADER_LENGTH
        || header.charAt(2) != '-'
        || header.charAt(35) != '-'
        || header.charAt(52) != '-') {
      throw new IllegalArgumentException(
          "a traceparent is 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>, was \""
              + abbreviate(header)
              + "\"");
    }
    if (!header.startsWith("00")) {
      throw new IllegalArgumentException(
          "only traceparent version 00 is supported, was \"" + abbreviate(header) + "\"");
    }
    String flags = header.substring(53);
    checkHex("trace flags", flags);
    return new TraceParent(
        header.substring(3, 35), header.substring(36, 52), Integer.parseInt(flags, 16));
  }

  /** A new sampled trace with random ids. */
  public static TraceParent newTrace() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new TraceParent(
        randomHex(random, TRACE_ID_LENGTH), randomHex(random, PARENT_ID_LENGTH), 1);
  }

  /** The same trace and flags with a new random span id as its parent id. */
  public TraceParent child() {
    return new TraceParent(
        traceId, randomHex(ThreadLocalRandom.current(), PARENT_ID_LENGTH), flags);
  }

  /** Whether the sampled flag is set. */
  public boolean sampled() {
    return (flags & 1) != 0;
  }

  /** The header value. */
  @Override
  public String toString() {
    return "00-" + traceId + "-" + parentId + "-" + HexFormat.of().toHexDigits((byte) flags);
  }

  private static void checkId(String what, String id, int length) {
    if (id.length() != length) {
      throw new IllegalArgumentException(
          "a " + what + " is " + length + " hex digits, was \"" + abbreviate(id) + "\"");
    }
    checkHex(what, id);
    if (id.chars().allMatch(c -> c == '0')) {
      throw new IllegalArgumentException("a " + what + " of all zeros is invalid");
    }
  }

  private static void checkHex(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(
            "a " + what + " is lower-case hex, was \"" + abbreviate(value) + "\"");
      }
    }
  }

  /** A random id that is never all zeros (the specification's invalid value). */
  private static String randomHex(ThreadLocalRandom random, int length) {
    byte[] bytes = new byte[length / 2];
    do {
      random.nextBytes(bytes);
    } while (isAllZero(bytes));
    return HexFormat.of().formatHex(bytes);
  }

  private static boolean isAllZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** Values come from the wire: quote at most a bounded prefix in messages. */
  private static String abbreviate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
