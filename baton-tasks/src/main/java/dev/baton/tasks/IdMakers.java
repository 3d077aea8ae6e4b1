package dev.baton.tasks;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The built-in {@link IdMaker}s and their ids: {@link #DEFAULT} (sequential in local mode, UUIDv4
 * in remote mode), {@link #UUID_V4}, {@link #SEQUENTIAL} and {@link #UUID_V7}. User makers take ids
 * from {@link #FIRST_USER_ID}.
 */
public final class IdMakers {

  /** Sequential in local mode, UUIDv4 in remote mode. */
  public static final int DEFAULT = 0;

  /** Random UUIDs (version 4). */
  public static final int UUID_V4 = 1;

  /** 1, 2, 3… per maker, as decimal strings. */
  public static final int SEQUENTIAL = 2;

  /** Time-ordered UUIDs (version 7, RFC 9562): sort by creation time, unique across machines. */
  public static final int UUID_V7 = 3;

  /** The smallest id a user id maker may take. */
  public static final int FIRST_USER_ID = 100;

  private IdMakers() {}

  /** A maker of decimal ids from 1; fails once past {@link Long#MAX_VALUE}. */
  public static IdMaker sequential() {
    AtomicLong next = new AtomicLong();
    return taskName -> {
      long id = next.incrementAndGet();
      if (id <= 0) {
        throw new IllegalStateException("sequential ids for " + taskName + " are exhausted");
      }
      return Long.toString(id);
    };
  }

  /** A maker of random (version 4) UUIDs. */
  public static IdMaker uuidV4() {
    return taskName -> UUID.randomUUID().toString();
  }

  /** A maker of time-ordered (version 7) UUIDs, reading milliseconds from {@code clock}. */
  public static IdMaker uuidV7(java.util.function.LongSupplier epochMillis) {
    RandomGenerator random = new SecureRandom();
    return taskName -> uuidV7(epochMillis.getAsLong(), random).toString();
  }

  /** A version 7 UUID for {@code epochMillis}, random bits from {@code random}. */
  static UUID uuidV7(long epochMillis, RandomGenerator random) {
    long randA = random.nextLong() & 0xFFFL;
    long msb = ((epochMillis & 0xFFFF_FFFF_FFFFL) << 16) | (0x7L << 12) | randA;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
