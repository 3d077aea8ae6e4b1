package dev.baton.cloudstorage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The cloudstorage module's commands and their ids (DESIGN.md's table).
 *
 * <p>Every command names a storage (an {@link dev.baton.cloudstorage.spi.ObjectStorage} of the
 * node's {@link ObjectStorages}; {@value #DEFAULT_STORAGE} when not given): one bucket of an S3
 * server, or one directory of the local filesystem. Keys are non-empty, well-formed text (no
 * unpaired surrogate) of at most {@value #MAX_KEY_BYTES} UTF-8 bytes, without NUL; any such key is
 * valid for S3, while the local backend refuses keys that would escape its root with {@link
 * InvalidKeyException}. Commands are immutable values apart from an upload's byte array, which the
 * caller must not change while the command is pending. Arguments are checked when the command is
 * made ({@link IllegalArgumentException}/{@link NullPointerException} naming the field).
 *
 * <p>Besides the errors each command names, any command may complete with {@link
 * StorageNotFoundException} (no such storage), {@link StorageUnavailableException} (the backend
 * failed: S3 unreachable, a filesystem error) or {@link AccessDeniedException}.
 */
public final class CloudStorage {
  /** The id of {@code List}. */
  public static final CommandId LIST = CommandId.of(160);

  /** The id of {@code Download}. */
  public static final CommandId DOWNLOAD = CommandId.of(161);

  /** The id of {@code Upload}. */
  public static final CommandId UPLOAD = CommandId.of(162);

  /** The id of {@code Delete}. */
  public static final CommandId DELETE = CommandId.of(163);

  /** The id of {@code PresignedGetUrl}. */
  public static final CommandId PRESIGNED_GET_URL = CommandId.of(164);

  /** The id of {@code PresignedPutUrl}. */
  public static final CommandId PRESIGNED_PUT_URL = CommandId.of(165);

  /** The id of {@code Head}. */
  public static final CommandId HEAD = CommandId.of(166);

  /** The storage commands use when they name none. */
  public static final String DEFAULT_STORAGE = "default";

  /** The longest key, in UTF-8 bytes (S3's limit). */
  public static final int MAX_KEY_BYTES = 1024;

  /** The most keys one {@link List} page or one {@link Delete} holds (S3's limit). */
  public static final int MAX_KEYS = 1000;

  /** A download to memory's default {@code maxBytes}: 16 MiB. */
  public static final long DEFAULT_MAX_DOWNLOAD_BYTES = 16L << 20;

  /** The largest download to memory (the largest array the JVM makes). */
  public static final long MAX_IN_MEMORY_BYTES = Integer.MAX_VALUE - 8;

  /** The longest a presigned URL may live: 7 days (SigV4's limit). */
  public static final Duration MAX_PRESIGN_EXPIRY = Duration.ofDays(7);

  /** The most bytes of user metadata (names plus values) one object carries (S3's limit). */
  public static final int MAX_METADATA_BYTES = 2048;

  private static final Pattern STORAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern METADATA_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,127}");
  private static final Pattern CONTENT_TYPE = Pattern.compile("[!-~]+/[!-~]+( *;[ -~]*)?");

  private CloudStorage() {}

  /**
   * Lists objects whose keys start with {@code prefix}, in key order, one page at a time. Completes
   * with an {@link ObjectPage}; read on with {@link #next(ObjectPage)} while it {@link
   * ObjectPage#hasMore()}.
   *
   * @param storage the storage's name
   * @param prefix the keys' prefix ("" for all)
   * @param continuationToken the previous page's {@link ObjectPage#nextContinuationToken()}, or
   *     null for the first page
   * @param maxKeys the most objects on the page, 1..{@value #MAX_KEYS}
   */
  public record List(String storage, String prefix, @Nullable String continuationToken, int maxKeys)
      implements Command<ObjectPage> {
    /** Validates the fields. */
    public List {
      checkStorageName(storage);
      requireNonNull(prefix, "prefix");
      if (!prefix.isEmpty()) {
        checkKey(prefix, "prefix");
      }
      if (continuationToken != null && continuationToken.isEmpty()) {
        throw new IllegalArgumentException("continuationToken must be null or non-empty");
      }
      if (maxKeys < 1 || maxKeys > MAX_KEYS) {
        throw new IllegalArgumentException(
            "maxKeys must be in 1.." + MAX_KEYS + ", was " + maxKeys);
      }
    }

    /**
     * The first page (up to {@value #MAX_KEYS} objects) under {@code prefix} in {@code storage}.
     */
    public List(String storage, String prefix) {
      this(storage, prefix, null, MAX_KEYS);
    }

    /** The command for the page after {@code page}, same prefix and size. */
    public List next(ObjectPage page) {
      String token = page.nextContinuationToken();
      if (token == null) {
        throw new IllegalArgumentException("the page is the last one");
      }
      return new List(storage, prefix, token, maxKeys);
    }

    /** This listing with pages of at most {@code maxKeys} objects. */
    public List withMaxKeys(int maxKeys) {
      return new List(storage, prefix, continuationToken, maxKeys);
    }

    @Override
    public CommandId commandId() {
      return LIST;
    }
  }

  /**
   * Reads an object, or a range of it, into memory or into a file. Completes with {@link
   * Downloaded}; with {@link ObjectNotFoundException} if the key holds nothing, or {@link
   * ObjectTooLargeException} if the bytes to read pass {@code maxBytes} (nothing is kept). A
   * download to a file writes a temporary file next to {@code toFile} and moves it into place when
   * complete (replacing what was there), so the file is whole or untouched.
   *
   * @param storage the storage's name
   * @param key the object's key
   * @param range the bytes to read, or null for all
   * @param maxBytes the most bytes to read (to memory at most {@link #MAX_IN_MEMORY_BYTES})
   * @param toFile the file to write, or null to read into memory
   */
  public record Download(
      String storage, String key, @Nullable ByteRange range, long maxBytes, @Nullable Path toFile)
      implements Command<Downloaded> {
    /** Validates the fields. */
    public Download {
      checkStorageName(storage);
      checkKey(key, "key");
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0, was " + maxBytes);
      }
      if (toFile == null && maxBytes > MAX_IN_MEMORY_BYTES) {
        throw new IllegalArgumentException(
            "maxBytes over "
                + MAX_IN_MEMORY_BYTES
                + " cannot be read into memory, was "
                + maxBytes
                + " (download to a file)");
      }
    }

    /** The whole object into memory, at most {@link #DEFAULT_MAX_DOWNLOAD_BYTES}. */
    public Download(String storage, String key) {
      this(storage, key, null, DEFAULT_MAX_DOWNLOAD_BYTES, null);
    }

    /** Only {@code range} of the object. */
    public Download withRange(ByteRange range) {
      return new Download(storage, key, requireNonNull(range, "range"), maxBytes, toFile);
    }

    /** At most {@code maxBytes}. */
    public Download withMaxBytes(long maxBytes) {
      return new Download(storage, key, range, maxBytes, toFile);
    }

    /** Into {@code file} instead of memory; the limit becomes unbounded unless set after this. */
    public Download toFile(Path file) {
      return new Download(storage, key, range, Long.MAX_VALUE, requireNonNull(file, "file"));
    }

    @Override
    public CommandId commandId() {
      return DOWNLOAD;
    }
  }

  /**
   * Writes an object from bytes or from a file, replacing any object at the key. Completes with
   * {@link UploadResult}. The object appears whole or not at all: a failed or cancelled upload
   * leaves whatever was there before.
   *
   * @param storage the storage's name
   * @param key the object's key
   * @param bytes the content, or null when {@code file} is given
   * @param file the file to read the content from, or null when {@code bytes} is given
   * @param contentType the content type, or null for {@code application/octet-stream}
   * @param metadata user metadata: names {@code [a-z0-9][a-z0-9_-]*}, values printable ASCII,
   *     {@value #MAX_METADATA_BYTES} bytes in all
   */
  // The array is handed over, not compared or hashed.
  @SuppressWarnings("ArrayRecordComponent")
  public record Upload(
      String storage,
      String key,
      byte @Nullable [] bytes,
      @Nullable Path file,
      @Nullable String contentType,
      Map<String, String> metadata)
      implements Command<UploadResult> {
    /** Validates the fields and copies the metadata. */
    public Upload {
      checkStorageName(storage);
      checkKey(key, "key");
      if ((bytes == null) == (file == null)) {
        throw new IllegalArgumentException("exactly one of bytes and file must be given");
      }
      checkContentType(contentType);
      metadata = checkMetadata(metadata);
    }

    /** Uploads {@code bytes} to {@code key} of {@code storage}. */
    public static Upload bytes(String storage, String key, byte[] bytes) {
      return new Upload(storage, key, requireNonNull(bytes, "bytes"), null, null, Map.of());
    }

    /** Uploads {@code text}'s UTF-8 bytes as {@code text/plain; charset=UTF-8}. */
    public static Upload text(String storage, String key, String text) {
      return bytes(storage, key, requireNonNull(text, "text").getBytes(UTF_8))
          .withContentType("text/plain; charset=UTF-8");
    }

    /** Uploads the content of {@code file} to {@code key} of {@code storage}. */
    public static Upload file(String storage, String key, Path file) {
      return new Upload(storage, key, null, requireNonNull(file, "file"), null, Map.of());
    }

    /** With content type {@code contentType}. */
    public Upload withContentType(String contentType) {
      return new Upload(
          storage, key, bytes, file, requireNonNull(contentType, "contentType"), metadata);
    }

    /** With user metadata {@code metadata} (replacing any given before). */
    public Upload withMetadata(Map<String, String> metadata) {
      return new Upload(storage, key, bytes, file, contentType, metadata);
    }

    @Override
    public CommandId commandId() {
      return UPLOAD;
    }
  }

  /**
   * Deletes objects. Completes with one {@link DeleteOutcome} per key, in the order given; a key
   * that held nothing succeeds (as in S3), so deleting is idempotent. One key's failure does not
   * stop the others.
   *
   * @param storage the storage's name
   * @param keys 1..{@value #MAX_KEYS} keys
   */
  public record Delete(String storage, java.util.List<String> keys)
      implements Command<java.util.List<DeleteOutcome>> {
    /** Validates the fields and copies the keys. */
    public Delete {
      checkStorageName(storage);
      keys = java.util.List.copyOf(keys);
      if (keys.isEmpty() || keys.size() > MAX_KEYS) {
        throw new IllegalArgumentException(
            "keys must hold 1.." + MAX_KEYS + " keys, held " + keys.size());
      }
      for (String key : keys) {
        checkKey(key, "keys");
      }
    }

    /** Deletes {@code keys} of {@code storage}. */
    public static Delete of(String storage, String... keys) {
      return new Delete(storage, java.util.List.of(keys));
    }

    @Override
    public CommandId commandId() {
      return DELETE;
    }
  }

  /**
   * Makes a URL that lets anyone GET the object until {@code expiry} has passed. Completes with
   * {@link PresignedUrl}, or {@link PresignNotSupportedException} for a storage that serves no HTTP
   * (the local backend). Signing is local: the object need not exist yet.
   *
   * @param storage the storage's name
   * @param key the object's key
   * @param expiry how long the URL works, 1 s..{@link #MAX_PRESIGN_EXPIRY}
   */
  public record PresignedGetUrl(String storage, String key, Duration expiry)
      implements Command<PresignedUrl> {
    /** Validates the fields. */
    public PresignedGetUrl {
      checkStorageName(storage);
      checkKey(key, "key");
      checkExpiry(expiry);
    }

    @Override
    public CommandId commandId() {
      return PRESIGNED_GET_URL;
    }
  }

  /**
   * Makes a URL that lets anyone PUT the object until {@code expiry} has passed. A content type or
   * length given is signed into the URL: the uploader must send exactly that {@code Content-Type}
   * and that many bytes. Completes with {@link PresignedUrl}, or {@link
   * PresignNotSupportedException} for the local backend.
   *
   * @param storage the storage's name
   * @param key the object's key
   * @param expiry how long the URL works, 1 s..{@link #MAX_PRESIGN_EXPIRY}
   * @param contentType the content type the uploader must send, or null for any
   * @param contentLength the exact length the uploader must send, or -1 for any
   */
  public record PresignedPutUrl(
      String storage, String key, Duration expiry, @Nullable String contentType, long contentLength)
      implements Command<PresignedUrl> {
    /** Validates the fields. */
    public PresignedPutUrl {
      checkStorageName(storage);
      checkKey(key, "key");
      checkExpiry(expiry);
      checkContentType(contentType);
      if (contentLength < -1) {
        throw new IllegalArgumentException(
            "contentLength must be >= 0, or -1 for any, was " + contentLength);
      }
    }

    /** A URL for any content type and length. */
    public PresignedPutUrl(String storage, String key, Duration expiry) {
      this(storage, key, expiry, null, -1);
    }

    @Override
    public CommandId commandId() {
      return PRESIGNED_PUT_URL;
    }
  }

  /**
   * Reads an object's metadata. Completes with {@link ObjectInfo}, or {@link
   * ObjectNotFoundException} if the key holds nothing.
   *
   * @param storage the storage's name
   * @param key the object's key
   */
  public record Head(String storage, String key) implements Command<ObjectInfo> {
    /** Validates the fields. */
    public Head {
      checkStorageName(storage);
      checkKey(key, "key");
    }

    @Override
    public CommandId commandId() {
      return HEAD;
    }
  }

  private static void checkStorageName(String storage) {
    requireNonNull(storage, "storage");
    if (!STORAGE_NAME.matcher(storage).matches()) {
      throw new IllegalArgumentException(
          "storage must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, was '" + storage + "'");
    }
  }

  private static void checkKey(String key, String field) {
    requireNonNull(key, field);
    if (key.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == 0) {
        throw new IllegalArgumentException(field + " must not contain NUL");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < key.length()
          && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(field + " has an unpaired surrogate at index " + i);
      }
    }
    int bytes = key.getBytes(UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          field + " is " + bytes + " UTF-8 bytes, over the limit of " + MAX_KEY_BYTES);
    }
  }

  /** Checks a content type's shape; it is sent as given. */
  private static @Nullable String checkContentType(@Nullable String contentType) {
    if (contentType != null && !CONTENT_TYPE.matcher(contentType).matches()) {
      throw new IllegalArgumentException(
          "contentType must look like type/subtype[; params], was '" + contentType + "'");
    }
    return contentType;
  }

  private static void checkExpiry(Duration expiry) {
    requireNonNull(expiry, "expiry");
    if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(MAX_PRESIGN_EXPIRY) > 0) {
      throw new IllegalArgumentException("expiry must be in 1s..7 days, was " + expiry);
    }
  }

  private static Map<String, String> checkMetadata(Map<String, String> metadata) {
    requireNonNull(metadata, "metadata");
    TreeMap<String, String> copy = new TreeMap<>();
    int total = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String name = requireNonNull(e.getKey(), "metadata name");
      String value = requireNonNull(e.getValue(), "metadata value of " + name);
      if (!METADATA_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "metadata name must match [a-z0-9][a-z0-9_-]* (S3 lower-cases names), was '"
                + name.toLowerCase(Locale.ROOT).replace('\n', ' ')
                + "'");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          throw new IllegalArgumentException(
              "metadata value of '" + name + "' must be printable ASCII (HTTP header text)");
        }
      }
      total += name.length() + value.length();
      copy.put(name, value);
    }
    if (total > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "metadata is " + total + " bytes, over the limit of " + MAX_METADATA_BYTES);
    }
    return Collections.unmodifiableMap(copy);
  }
}
