package dev.baton.modules.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The store module's commands and their ids (DESIGN.md's table).
 *
 * <p>Every command names a store (a backend registered with {@link Stores}; {@value #DEFAULT_STORE}
 * when not given) and, except {@link List}, a key. Keys are non-blank, well-formed text (no
 * unpaired surrogate, so each key has exactly one UTF-8 form) of at most {@value #MAX_KEY_BYTES}
 * UTF-8 bytes. Values are byte arrays, copied by the backend on the way in and out, so a caller may
 * reuse its array after the command. Commands are immutable values apart from their value arrays,
 * which a caller must not change while the command is pending. Values are at most {@value
 * #MAX_VALUE_BYTES} bytes and TTLs at most {@link #MAX_TTL}; both are checked when the command is
 * made.
 *
 * <p>Besides the errors each command names, any command may complete with {@link
 * StoreUnavailableException} when its store's backend fails (Redis unreachable or too slow) or is
 * closed; it names the store, the operation and the key.
 */
public final class Store {
  /** The id of {@link Get}. */
  public static final CommandId GET = CommandId.of(120);

  /** The id of {@link Set}. */
  public static final CommandId SET = CommandId.of(121);

  /** The id of {@link Delete}. */
  public static final CommandId DELETE = CommandId.of(122);

  /** The id of {@link Has}. */
  public static final CommandId HAS = CommandId.of(123);

  /** The id of {@link Entry}. */
  public static final CommandId ENTRY = CommandId.of(124);

  /** The id of {@link List}. */
  public static final CommandId LIST = CommandId.of(125);

  /** The id of {@link Put}. */
  public static final CommandId PUT = CommandId.of(126);

  /** The store commands use when they name none. */
  public static final String DEFAULT_STORE = "default";

  /** The longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  /** The most entries one {@link List} returns. */
  public static final int MAX_LIST_LIMIT = 1000;

  /**
   * The largest value, in bytes: 16 MiB. A larger value could not travel to a network backend
   * safely (Redis closes the connection, shared by every store on it, on a bulk string over its
   * {@code proto-max-bulk-len}), and a store is not a blob store.
   */
  public static final int MAX_VALUE_BYTES = 16 << 20;

  /**
   * How many value bytes one {@link List} page carries at most before it stops early (with more to
   * come): 16 MiB. A page always holds at least one entry if any is left, so a page's values total
   * at most this plus one value.
   */
  public static final int LIST_PAGE_BYTES = 16 << 20;

  /**
   * The longest time to live: 100 years (36,525 days). Longer ones are refused when the options are
   * made, so no backend overflows computing an expiry.
   */
  public static final Duration MAX_TTL = Duration.ofDays(36_525);

  /** Store names become part of backend keys (Redis), so they are kept to a safe alphabet. */
  private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Store() {}

  /** The UTF-8 bytes of {@code text}, for values written as text. */
  public static byte[] utf8(String text) {
    return requireNonNull(text, "text").getBytes(UTF_8);
  }

  /**
   * Reads the value at {@code key}.
   *
   * <p>Completes with the value, or with {@link KeyNotFoundException} if the key is absent or
   * expired, or {@link StoreNotFoundException} if no store is called {@code store}.
   *
   * @param store the store's name
   * @param key the key
   */
  public record Get(String store, String key) implements Command<byte[]> {
    /** Validates the store name and the key. */
    public Get {
      checkStoreName(store);
      checkKey(key);
    }

    /** Reads {@code key} of the {@value #DEFAULT_STORE} store. */
    public Get(String key) {
      this(DEFAULT_STORE, key);
    }

    @Override
    public CommandId commandId() {
      return GET;
    }
  }

  /**
   * Writes {@code value} at {@code key} unconditionally, with no expiry (an expiry the entry had is
   * removed). Completes with the entry's new version.
   *
   * @param store the store's name
   * @param key the key
   * @param value the value, possibly empty
   */
  // Arrays compare by identity in records; commands are handed over, not compared or hashed.
  @SuppressWarnings("ArrayRecordComponent")
  public record Set(String store, String key, byte[] value) implements Command<Long> {
    /**
     * Validates the store name, the key and the value: {@link IllegalArgumentException} for a bad
     * name or key, or a value over {@value #MAX_VALUE_BYTES} bytes.
     */
    public Set {
      checkStoreName(store);
      checkKey(key);
      checkValue(key, value);
    }

    /** Writes {@code key} of the {@value #DEFAULT_STORE} store. */
    public Set(String key, byte[] value) {
      this(DEFAULT_STORE, key, value);
    }

    /** Writes {@code text}'s UTF-8 bytes at {@code key} of the {@value #DEFAULT_STORE} store. */
    public static Set utf8(String key, String text) {
      return new Set(key, Store.utf8(text));
    }

    @Override
    public CommandId commandId() {
      return SET;
    }
  }

  /**
   * Deletes {@code key}. Completes with true if it held a live (unexpired) entry, false if not.
   *
   * @param store the store's name
   * @param key the key
   */
  public record Delete(String store, String key) implements Command<Boolean> {
    /** Validates the store name and the key. */
    public Delete {
      checkStoreName(store);
      checkKey(key);
    }

    /** Deletes {@code key} of the {@value #DEFAULT_STORE} store. */
    public Delete(String key) {
      this(DEFAULT_STORE, key);
    }

    @Override
    public CommandId commandId() {
      return DELETE;
    }
  }

  /**
   * Asks whether {@code key} holds a live entry. Completes with true or false.
   *
   * @param store the store's name
   * @param key the key
   */
  public record Has(String store, String key) implements Command<Boolean> {
    /** Validates the store name and the key. */
    public Has {
      checkStoreName(store);
      checkKey(key);
    }

    /** Asks about {@code key} of the {@value #DEFAULT_STORE} store. */
    public Has(String key) {
      this(DEFAULT_STORE, key);
    }

    @Override
    public CommandId commandId() {
      return HAS;
    }
  }

  /**
   * Reads the whole entry at {@code key}: value, version and expiry. Completes with the entry, or
   * empty if the key is absent or expired (an absent key's version is 0).
   *
   * @param store the store's name
   * @param key the key
   */
  public record Entry(String store, String key) implements Command<Optional<StoreEntry>> {
    /** Validates the store name and the key. */
    public Entry {
      checkStoreName(store);
      checkKey(key);
    }

    /** Reads the entry at {@code key} of the {@value #DEFAULT_STORE} store. */
    public Entry(String key) {
      this(DEFAULT_STORE, key);
    }

    @Override
    public CommandId commandId() {
      return ENTRY;
    }
  }

  /**
   * Lists live entries whose keys start with {@code prefix}, in UTF-8 byte order of their keys (the
   * same order in every backend), after {@code cursor}, at most {@code limit} of them. Completes
   * with a {@link StorePage}; pass its {@link StorePage#nextCursor()} as the next command's cursor
   * to read on. Entries written or deleted between pages may or may not be seen; a key present for
   * the whole listing is returned exactly once. A page may hold fewer than {@code limit} entries,
   * even none, and still have more: it stops early once its values pass {@value #LIST_PAGE_BYTES}
   * bytes, and a backend bounds the expired entries one call passes over; read on until {@link
   * StorePage#hasMore()} is false.
   *
   * @param store the store's name
   * @param prefix the keys' common start; empty lists every key
   * @param cursor the previous page's {@link StorePage#nextCursor()} (a key; the listing goes on
   *     after it, exclusive), or null to start at the beginning
   * @param limit how many entries at most, 1 to {@value #MAX_LIST_LIMIT}
   */
  public record List(String store, String prefix, @Nullable String cursor, int limit)
      implements Command<StorePage> {
    /** Validates the store name, prefix, cursor and limit. */
    public List {
      checkStoreName(store);
      requireNonNull(prefix, "prefix");
      checkText("prefix", prefix);
      if (cursor != null) {
        checkKey(cursor);
      }
      if (limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new IllegalArgumentException(
            "limit must be between 1 and " + MAX_LIST_LIMIT + ", not " + limit);
      }
    }

    /** Lists the {@value #DEFAULT_STORE} store. */
    public List(String prefix, @Nullable String cursor, int limit) {
      this(DEFAULT_STORE, prefix, cursor, limit);
    }

    @Override
    public CommandId commandId() {
      return LIST;
    }
  }

  /**
   * Writes {@code value} at {@code key} under {@code options}: an expiry, and a condition on the
   * current version (absent, or exactly N). Completes with the new version, or with {@link
   * VersionConflictException} (naming the version found) if the condition does not hold; then
   * nothing is written.
   *
   * @param store the store's name
   * @param key the key
   * @param value the value, possibly empty
   * @param options expiry and condition
   */
  // Arrays compare by identity in records; commands are handed over, not compared or hashed.
  @SuppressWarnings("ArrayRecordComponent")
  public record Put(String store, String key, byte[] value, PutOptions options)
      implements Command<Long> {
    /**
     * Validates the store name, key, value and options: {@link IllegalArgumentException} for a bad
     * name or key, or a value over {@value #MAX_VALUE_BYTES} bytes.
     */
    public Put {
      checkStoreName(store);
      checkKey(key);
      checkValue(key, value);
      requireNonNull(options, "options");
    }

    /** Writes {@code key} of the {@value #DEFAULT_STORE} store. */
    public Put(String key, byte[] value, PutOptions options) {
      this(DEFAULT_STORE, key, value, options);
    }

    /** Writes {@code text}'s UTF-8 bytes at {@code key} of the {@value #DEFAULT_STORE} store. */
    public static Put utf8(String key, String text, PutOptions options) {
      return new Put(key, Store.utf8(text), options);
    }

    @Override
    public CommandId commandId() {
      return PUT;
    }
  }

  /**
   * How a {@link Put} writes: with an expiry or none, and under a condition on the version found.
   *
   * <p>An absent (or expired) key has version 0, so {@code onlyIfAbsent} is the same condition as
   * {@code expectedVersion == 0}; both may be given only if they agree.
   *
   * @param ttl how long the entry lives, at least 1 ms and at most {@link #MAX_TTL} (100 years);
   *     null for no expiry. A backend counting whole milliseconds rounds a fraction up, so an entry
   *     never expires early
   * @param onlyIfAbsent write only if the key holds no live entry
   * @param expectedVersion write only if the live entry's version is this (0: absent); {@link
   *     #ANY_VERSION} for no condition
   */
  public record PutOptions(@Nullable Duration ttl, boolean onlyIfAbsent, long expectedVersion) {
    /** No condition on the version. */
    public static final long ANY_VERSION = -1;

    /** No expiry, no condition: what {@link Set} does. */
    public static final PutOptions NONE = new PutOptions(null, false, ANY_VERSION);

    /**
     * Validates the expiry and the condition: {@link IllegalArgumentException} for a ttl under 1 ms
     * or over {@link #MAX_TTL}, a version under -1, or {@code onlyIfAbsent} with a version above 0.
     */
    public PutOptions {
      if (ttl != null && ttl.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("ttl must be at least 1 ms (or null), not " + ttl);
      }
      if (ttl != null && ttl.compareTo(MAX_TTL) > 0) {
        throw new IllegalArgumentException(
            "ttl must be at most " + MAX_TTL.toDays() + " days (100 years), not " + ttl);
      }
      if (expectedVersion < ANY_VERSION) {
        throw new IllegalArgumentException(
            "expectedVersion is a version (0 for absent) or ANY_VERSION (-1), not "
                + expectedVersion);
      }
      if (onlyIfAbsent && expectedVersion > 0) {
        throw new IllegalArgumentException(
            "onlyIfAbsent asks for version 0 but expectedVersion is " + expectedVersion);
      }
    }

    /** Expires after {@code ttl}, no condition. */
    public static PutOptions ttl(Duration ttl) {
      return new PutOptions(requireNonNull(ttl, "ttl"), false, ANY_VERSION);
    }

    /** Writes only if the key holds no live entry. */
    public static PutOptions ifAbsent() {
      return new PutOptions(null, true, ANY_VERSION);
    }

    /** Writes only if the live entry's version is {@code version} (0: absent). */
    public static PutOptions ifVersion(long version) {
      if (version < 0) {
        throw new IllegalArgumentException("a version is at least 0, not " + version);
      }
      return new PutOptions(null, false, version);
    }

    /** These options with expiry after {@code ttl}. */
    public PutOptions withTtl(Duration ttl) {
      return new PutOptions(requireNonNull(ttl, "ttl"), onlyIfAbsent, expectedVersion);
    }

    /**
     * The version the write requires: 0 for {@code onlyIfAbsent}, else {@code expectedVersion}
     * ({@link #ANY_VERSION} for none).
     */
    public long requiredVersion() {
      return onlyIfAbsent ? 0 : expectedVersion;
    }
  }

  /**
   * Checks a key: non-null, not blank, well-formed, at most {@value #MAX_KEY_BYTES} UTF-8 bytes.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException naming the problem otherwise
   */
  public static String checkKey(String key) {
    requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException("a store key must not be blank");
    }
    checkText("key", key);
    return key;
  }

  /**
   * Checks a value: non-null and at most {@value #MAX_VALUE_BYTES} bytes.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException naming the key and both sizes if it is too large
   */
  public static byte[] checkValue(String key, byte[] value) {
    requireNonNull(value, "value");
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "the value for store key '"
              + key
              + "' is "
              + value.length
              + " bytes; a store value is at most "
              + MAX_VALUE_BYTES
              + " bytes (16 MiB): keep large data elsewhere and store a reference");
    }
    return value;
  }

  /**
   * Checks a store name: 1 to 64 characters of letters, digits, '.', '_' and '-', starting with a
   * letter or digit (it becomes part of backend keys).
   */
  public static String checkStoreName(String store) {
    requireNonNull(store, "store");
    if (!STORE_NAME.matcher(store).matches()) {
      throw new IllegalArgumentException(
          "a store name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit, not '"
              + store
              + "'");
    }
    return store;
  }

  /** Checks well-formedness and the UTF-8 length without encoding. */
  private static void checkText(String what, String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          throw new IllegalArgumentException(
              "a store " + what + " must be well-formed text: unpaired surrogate at index " + i);
        }
        bytes += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(
            "a store " + what + " must be well-formed text: unpaired surrogate at index " + i);
      } else {
        bytes += 3;
      }
    }
    if (bytes > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "a store "
              + what
              + " is at most "
              + MAX_KEY_BYTES
              + " UTF-8 bytes, not "
              + bytes
              + " (starting '"
              + text.substring(0, Math.min(32, text.length()))
              + "...')");
    }
  }
}
