package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import dev.baton.cloudstorage.spi.ObjectReader;
import dev.baton.cloudstorage.spi.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The embedded default storage: objects are files under a root directory.
 *
 * <p><b>Layout.</b> The object at key {@code a/b/c.txt} is the file {@code root/a/b/c.txt}; its
 * metadata (content type, ETag, user metadata) is a properties file at the same relative path under
 * {@code root/.baton-meta/}; uploads are written under {@code root/.baton-tmp/} and moved into
 * place. Keys are split on {@code /} and refused with {@link InvalidKeyException} when a segment is
 * empty, {@code .} or {@code ..}, longer than 255 UTF-8 bytes, or holds a backslash or a control
 * character, when the first segment starts with {@code .baton-}, or when the key is a directory of
 * another object's key or the reverse ({@code a} and {@code a/b} cannot both exist, unlike S3). A
 * file put under the root by hand is listed and read too (its ETag is computed on the first read
 * and remembered in a sidecar bound to that file, its type is {@code application/octet-stream}).
 * Symbolic links are never followed: a key whose path passes through or ends at a link is refused
 * with {@link InvalidKeyException}, and listings skip links, so a link inside the root cannot lead
 * out of it. Names the platform's filesystem cannot hold are refused too. Keys are file names as
 * they are: on a case-insensitive or normalizing filesystem, keys that differ only in case or
 * Unicode normalization name one file.
 *
 * <p><b>Concurrency.</b> Methods block (file I/O) and are thread-safe. An upload copies into a
 * temporary file (hashing as it goes) without holding a lock, then, under the key's write lock,
 * moves the metadata file and then the content into place ({@code ATOMIC_MOVE}); {@link #head},
 * {@link #open} and {@link #list} read a key's metadata and content under its read lock. The
 * metadata file records the content file's identity (size, modification time, file key), which a
 * rename keeps: it counts only for that file, and a read that saw the file change under it (a
 * writer on the same root through another instance or process, which the lock does not exclude) is
 * done again, so an ETag always matches the content read. Locks are striped (64 stripes by key
 * hash). An interrupted upload deletes its temporary files and leaves the key as it was. Opening a
 * storage deletes the root's temporary files: open one instance per root.
 *
 * <p><b>Presigned URLs</b> are not supported (the backend serves no HTTP): they fail with {@link
 * PresignNotSupportedException}.
 */
public final class LocalObjectStorage implements ObjectStorage {
  private static final String META_DIR = ".baton-meta";
  private static final String TMP_DIR = ".baton-tmp";
  private static final String RESERVED_PREFIX = ".baton-";
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final int STRIPES = 64;
  private static final int COPY_BUFFER = 64 * 1024;

  private final String name;
  private final Path root;
  private final Path metaRoot;
  private final Path tmpRoot;
  // Striped per-key locks: a key's content and metadata files change together under its write lock.
  private final ReadWriteLock[] locks = new ReadWriteLock[STRIPES];
  private final AtomicBoolean closed = new AtomicBoolean();

  private LocalObjectStorage(String name, Path root) {
    this.name = name;
    this.root = root;
    this.metaRoot = root.resolve(META_DIR);
    this.tmpRoot = root.resolve(TMP_DIR);
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantReadWriteLock();
    }
  }

  /**
   * A storage called {@code name} keeping objects under {@code root}, which is created if absent.
   * Temporary files a crash left behind are removed.
   *
   * @throws UncheckedIOException if the directories cannot be made
   */
  public static LocalObjectStorage open(String name, Path root) {
    requireNonNull(name, "name");
    requireNonNull(root, "root");
    try {
      Path absolute = root.toAbsolutePath().normalize();
      Files.createDirectories(absolute.resolve(META_DIR));
      Files.createDirectories(absolute.resolve(TMP_DIR));
      Path real = absolute.toRealPath();
      for (String own : List.of(META_DIR, TMP_DIR)) {
        if (!Files.isDirectory(real.resolve(own), LinkOption.NOFOLLOW_LINKS)) {
          throw new java.nio.file.FileSystemException(
              real.resolve(own).toString(), null, "must be a directory, not a link");
        }
      }
      try (Stream<Path> leftovers = Files.list(real.resolve(TMP_DIR))) {
        for (Path leftover : leftovers.toList()) {
          Files.deleteIfExists(leftover);
        }
      }
      return new LocalObjectStorage(name, real);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open local storage '" + name + "' at " + root, e);
    }
  }

  /** A {@value CloudStorage#DEFAULT_STORAGE} storage under {@code root}. */
  public static LocalObjectStorage open(Path root) {
    return open(CloudStorage.DEFAULT_STORAGE, root);
  }

  @Override
  public String name() {
    return name;
  }

  /** The root directory (absolute, real). */
  public Path root() {
    return root;
  }

  /** The directory uploads are written in before they are moved into place. */
  public Path temporaryDirectory() {
    return tmpRoot;
  }

  @Override
  public ObjectPage list(String prefix, @Nullable String continuationToken, int maxKeys) {
    checkOpen();
    // Walk only the deepest directory the prefix names, in key order, and stop after the page.
    int slash = prefix.lastIndexOf('/');
    String startKey = slash > 0 ? prefix.substring(0, slash) : "";
    Path start = root;
    if (!startKey.isEmpty()) {
      try {
        start = pathOf(startKey, root);
        requireNoLinks(startKey, root, start);
      } catch (InvalidKeyException e) {
        return new ObjectPage(List.of(), null); // no object can have such a key here
      }
    }
    List<ObjectSummary> page = new ArrayList<>();
    boolean more = false;
    try {
      KeyWalk walk =
          new KeyWalk(start, startKey.isEmpty() ? "" : startKey + "/", prefix, continuationToken);
      for (String key = walk.next(); key != null; key = walk.next()) {
        if (page.size() == maxKeys) {
          more = true;
          break;
        }
        try {
          ObjectInfo info = head(key);
          page.add(new ObjectSummary(key, info.size(), info.etag(), info.lastModified()));
        } catch (ObjectNotFoundException | InvalidKeyException goneMeanwhile) {
          // deleted or replaced by a directory while listing: not on the page
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw unavailable("list", null, e);
    }
    return new ObjectPage(page, more && !page.isEmpty() ? page.getLast().key() : null);
  }

  /**
   * The keys under a directory in ascending UTF-8 order, read lazily: each directory's entries are
   * sorted by their name, with {@code /} appended to a directory's (every key below directory
   * {@code d} starts with {@code d/}, and no other entry's name extends {@code d/}, so a
   * depth-first walk in that order yields keys in order). Subtrees that cannot hold a key with the
   * prefix, or after the continuation key, are not read. Symbolic links and special files are not
   * objects. Used by one thread.
   */
  private final class KeyWalk {
    private record Entry(String key, Path path, boolean directory) {}

    private static final class Frame {
      private final List<Entry> entries;
      private int next;

      Frame(List<Entry> entries) {
        this.entries = entries;
      }
    }

    private final java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
    private final String prefix;
    private final @Nullable String after;

    KeyWalk(Path start, String startKey, String prefix, @Nullable String after) throws IOException {
      this.prefix = prefix;
      this.after = after;
      push(start, startKey);
    }

    /** The next key, or null when there is none. */
    @Nullable String next() throws IOException {
      while (!stack.isEmpty()) {
        Frame frame = stack.peek();
        if (frame.next == frame.entries.size()) {
          stack.pop();
          continue;
        }
        Entry entry = frame.entries.get(frame.next++);
        if (entry.directory()) {
          push(entry.path(), entry.key());
        } else {
          return entry.key();
        }
      }
      return null;
    }

    private boolean wantedFile(String key) {
      return key.startsWith(prefix) && (after == null || KEY_ORDER.compare(key, after) > 0);
    }

    /** Whether keys below {@code dirKey} (which ends in '/') can be wanted. */
    private boolean wantedDirectory(String dirKey) {
      boolean matches = dirKey.startsWith(prefix) || prefix.startsWith(dirKey);
      boolean later =
          after == null || after.startsWith(dirKey) || KEY_ORDER.compare(dirKey, after) > 0;
      return matches && later;
    }

    private void push(Path dir, String dirKey) throws IOException {
      List<Entry> entries = new ArrayList<>();
      try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path child : children) {
          String fileName = child.getFileName().toString();
          if (dirKey.isEmpty() && fileName.startsWith(RESERVED_PREFIX)) {
            continue;
          }
          String key = dirKey + fileName;
          boolean asFile = wantedFile(key);
          boolean asDirectory = wantedDirectory(key + "/");
          if (!asFile && !asDirectory) {
            continue; // decided by the name alone: no stat
          }
          BasicFileAttributes attributes;
          try {
            attributes =
                Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          } catch (NoSuchFileException gone) {
            continue;
          }
          if (attributes.isDirectory() && asDirectory) {
            entries.add(new Entry(key + "/", child, true));
          } else if (attributes.isRegularFile() && asFile) {
            entries.add(new Entry(key, child, false));
          }
        }
      } catch (NoSuchFileException | NotDirectoryException gone) {
        return; // removed while listing
      }
      entries.sort(Comparator.comparing(Entry::key, KEY_ORDER));
      stack.push(new Frame(entries));
    }
  }

  @Override
  public ObjectInfo head(String key) {
    checkOpen();
    Path file = pathOf(key, root);
    Lock lock = lockOf(key).readLock();
    lock.lock();
    try {
      requireNoLinks(key, root, file);
      return snapshot(key, file, false).info();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ObjectReader open(String key, @Nullable ByteRange range) {
    checkOpen();
    Path file = pathOf(key, root);
    Lock lock = lockOf(key).readLock();
    ObjectInfo info;
    FileChannel channel;
    lock.lock();
    try {
      requireNoLinks(key, root, file);
      Snapshot snapshot = snapshot(key, file, true);
      info = snapshot.info();
      channel = requireNonNull(snapshot.channel());
    } finally {
      lock.unlock();
    }
    long size = info.size();
    long first = 0;
    long length = size;
    if (range != null) {
      if (range.first() >= size) {
        closeQuietly(channel);
        throw new InvalidRangeException(name, key, range, size);
      }
      first = range.first();
      length = Math.min(range.last(), size - 1) - first + 1;
    }
    try {
      channel.position(first);
    } catch (IOException e) {
      closeQuietly(channel);
      throw failure("download", key, e);
    }
    InputStream stream = bounded(Channels.newInputStream(channel), length);
    return new FileReader(info, length, stream, channel);
  }

  @Override
  public UploadResult upload(CloudStorage.Upload upload) {
    checkOpen();
    String key = upload.key();
    Path target = pathOf(key, root);
    Path metaTarget = pathOf(key, metaRoot);
    String id = UUID.randomUUID().toString();
    Path tmp = tmpRoot.resolve(id + ".data");
    Path metaTmp = tmpRoot.resolve(id + ".meta");
    try {
      MessageDigest md5 = md5();
      long size;
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        byte[] bytes = upload.bytes();
        if (bytes != null) {
          out.write(bytes);
          md5.update(bytes);
          size = bytes.length;
        } else {
          size = copy(requireNonNull(upload.file()), out, md5);
        }
      }
      String etag = HexFormat.of().formatHex(md5.digest());
      String contentType = upload.contentType() == null ? OCTET_STREAM : upload.contentType();
      Properties meta = new Properties();
      meta.setProperty("etag", etag);
      // The content file's identity (kept by the rename): the sidecar describes that file only.
      meta.setProperty(
          "identity", identityOf(Files.readAttributes(tmp, BasicFileAttributes.class)));
      meta.setProperty("content-type", contentType);
      upload.metadata().forEach((k, v) -> meta.setProperty("meta." + k, v));
      try (Writer w =
          Files.newBufferedWriter(metaTmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
        meta.store(w, null);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new java.io.InterruptedIOException("upload of '" + key + "' was cancelled");
      }
      Lock lock = lockOf(key).writeLock();
      lock.lock();
      try {
        makeParents(key, target);
        makeParents(key, metaTarget);
        // Directories on the way may not be links out of the root (a rename replaces a link at
        // the target itself, never what it points to).
        requireNoLinks(key, root, requireNonNull(target.getParent()));
        requireNoLinks(key, metaRoot, requireNonNull(metaTarget.getParent()));
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new InvalidKeyException(
              name, key, "objects exist under '" + key + "/', so it cannot be an object itself");
        }
        Files.move(metaTmp, metaTarget, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        lock.unlock();
      }
      return new UploadResult(key, etag, size);
    } catch (IOException e) {
      throw failure("upload", key, e);
    } finally {
      deleteQuietly(tmp);
      deleteQuietly(metaTmp);
    }
  }

  @Override
  public List<DeleteOutcome> delete(List<String> keys) {
    checkOpen();
    List<DeleteOutcome> outcomes = new ArrayList<>(keys.size());
    for (String key : keys) {
      try {
        Path file = pathOf(key, root);
        Path meta = pathOf(key, metaRoot);
        Lock lock = lockOf(key).writeLock();
        lock.lock();
        try {
          requireNoLinks(key, root, requireNonNull(file.getParent()));
          requireNoLinks(key, metaRoot, requireNonNull(meta.getParent()));
          if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(meta);
            pruneEmptyParents(file.getParent(), root);
            pruneEmptyParents(meta.getParent(), metaRoot);
          }
        } finally {
          lock.unlock();
        }
        outcomes.add(new DeleteOutcome(key, null));
      } catch (CloudStorageException e) {
        outcomes.add(new DeleteOutcome(key, e));
      } catch (IOException e) {
        outcomes.add(new DeleteOutcome(key, failure("delete", key, e)));
      }
    }
    return outcomes;
  }

  @Override
  public PresignedUrl presignGet(String key, Duration expiry) {
    throw new PresignNotSupportedException(name, "local filesystem at " + root);
  }

  @Override
  public PresignedUrl presignPut(
      String key, Duration expiry, @Nullable String contentType, long contentLength) {
    throw new PresignNotSupportedException(name, "local filesystem at " + root);
  }

  @Override
  public void close() {
    closed.set(true);
  }

  // ---- internals ----

  /** Orders keys by their UTF-8 bytes (= code point order), as S3 lists them. */
  static final Comparator<String> KEY_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private void checkOpen() {
    if (closed.get()) {
      throw new StorageUnavailableException(
          name, "access", null, new IllegalStateException("the storage is closed"));
    }
  }

  private ReadWriteLock lockOf(String key) {
    return locks[Math.floorMod(key.hashCode(), STRIPES)];
  }

  /** The file of {@code key} under {@code base}, or InvalidKeyException if it would escape. */
  private Path pathOf(String key, Path base) {
    if (key.startsWith("/")) {
      throw new InvalidKeyException(name, key, "an absolute path cannot be a local key");
    }
    if (key.endsWith("/")) {
      throw new InvalidKeyException(name, key, "a key ending in '/' names a directory");
    }
    String[] segments = key.split("/", -1);
    if (segments[0].startsWith(RESERVED_PREFIX)) {
      throw new InvalidKeyException(name, key, "names starting with .baton- are reserved");
    }
    Path path = base;
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new InvalidKeyException(name, key, "it has an empty segment ('//')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidKeyException(name, key, "'.' and '..' segments could escape the root");
      }
      if (segment.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new InvalidKeyException(name, key, "a segment is over 255 UTF-8 bytes");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (c == '\\' || c < 0x20 || c == 0x7f) {
          throw new InvalidKeyException(
              name, key, "backslashes and control characters are not allowed in local keys");
        }
      }
      try {
        path = path.resolve(segment);
      } catch (InvalidPathException e) {
        throw new InvalidKeyException(
            name, key, "this filesystem cannot hold the name '" + segment + "': " + e.getReason());
      }
    }
    Path normal = path.normalize();
    if (!normal.startsWith(base) || normal.equals(base)) {
      throw new InvalidKeyException(name, key, "it resolves outside the storage's root");
    }
    return normal;
  }

  /** Size, modification time (ns) and file key: what a rename keeps and a rewrite changes. */
  private static String identityOf(BasicFileAttributes attributes) {
    return attributes.size()
        + "/"
        + attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)
        + "/"
        + attributes.fileKey();
  }

  /**
   * Refuses {@code path} (under {@code base}) if it or a directory between {@code base} and it is a
   * symbolic link: the storage never follows links, so none can lead out of the root. Parts that do
   * not exist yet are fine.
   */
  private void requireNoLinks(String key, Path base, Path path) {
    Path current = base;
    for (Path part : base.relativize(path)) {
      current = current.resolve(part);
      BasicFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        return; // absent (or unreadable: the operation itself reports that)
      }
      if (attributes.isSymbolicLink()) {
        throw new InvalidKeyException(
            name,
            key,
            "'"
                + base.relativize(current)
                + "' is a symbolic link, which local storage never follows");
      }
    }
  }

  /** What a read saw: the object's metadata and, when asked for, the content file opened. */
  private record Snapshot(ObjectInfo info, @Nullable FileChannel channel) {}

  /**
   * The object's metadata (and its content opened) as of one version of its file. The key's lock
   * keeps this storage's own writers out; a writer on the same root through another instance or
   * process is not, so the file's identity is read before and after, and a read that straddled a
   * replacement is done again.
   */
  private Snapshot snapshot(String key, Path file, boolean openContent) {
    for (int attempt = 0; attempt < 16; attempt++) {
      BasicFileAttributes before = attributesOf(key, file);
      boolean[] computed = new boolean[1];
      ObjectInfo info = infoOf(key, file, before, computed);
      FileChannel channel = null;
      if (openContent) {
        try {
          channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // deleted meanwhile: the next attempt says so
        } catch (IOException e) {
          throw failure("download", key, e);
        }
      }
      BasicFileAttributes after;
      try {
        after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        closeQuietly(channel);
        continue;
      }
      if (identityOf(before).equals(identityOf(after))) {
        if (computed[0]) {
          rememberEtag(key, before, info.etag());
        }
        return new Snapshot(info, channel);
      }
      closeQuietly(channel);
    }
    throw new StorageUnavailableException(
        name,
        "read",
        key,
        new IOException("the file kept changing while it was read (another writer on the root?)"));
  }

  private BasicFileAttributes attributesOf(String key, Path file) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw new ObjectNotFoundException(name, key, e);
    } catch (IOException e) {
      throw failure("head", key, e);
    }
    if (!attributes.isRegularFile()) {
      throw new ObjectNotFoundException(name, key, null);
    }
    return attributes;
  }

  /**
   * Writes a sidecar for a file put under the root by hand, so its ETag is computed once, not on
   * every read; bound to the file's identity like an upload's. Best effort (a failure only means
   * computing it again); runs under the key's read lock, which keeps this storage's uploads out.
   */
  private void rememberEtag(String key, BasicFileAttributes attributes, String etag) {
    Path tmp = tmpRoot.resolve(UUID.randomUUID() + ".meta");
    try {
      Path metaFile = pathOf(key, metaRoot);
      Properties meta = new Properties();
      meta.setProperty("etag", etag);
      meta.setProperty("identity", identityOf(attributes));
      meta.setProperty("content-type", OCTET_STREAM);
      try (Writer w =
          Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
        meta.store(w, null);
      }
      makeParents(key, metaFile);
      requireNoLinks(key, metaRoot, requireNonNull(metaFile.getParent()));
      Files.move(tmp, metaFile, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | CloudStorageException e) {
      // not remembered: the next read computes it again
    } finally {
      deleteQuietly(tmp);
    }
  }

  private ObjectInfo infoOf(
      String key, Path file, BasicFileAttributes attributes, boolean[] computed) {
    Properties meta = new Properties();
    Path metaFile = pathOf(key, metaRoot);
    boolean hasMeta = false;
    try (Reader r =
        new java.io.InputStreamReader(
            Files.newInputStream(metaFile, LinkOption.NOFOLLOW_LINKS), StandardCharsets.UTF_8)) {
      meta.load(r);
      // The sidecar counts only for the very file it was written with: a file replaced or edited
      // by hand (or by another writer on the same root) gets a computed ETag and no metadata.
      hasMeta = identityOf(attributes).equals(meta.getProperty("identity"));
    } catch (NoSuchFileException | NotDirectoryException e) {
      // a file put there by hand: no metadata
    } catch (IOException | IllegalArgumentException e) {
      // unreadable or malformed sidecar (\\u escapes): treat the file as put there by hand
      hasMeta = false;
    }
    String etag;
    String contentType = OCTET_STREAM;
    Map<String, String> user = new TreeMap<>();
    if (hasMeta) {
      etag = meta.getProperty("etag");
      contentType = meta.getProperty("content-type", OCTET_STREAM);
      for (String property : meta.stringPropertyNames()) {
        if (property.startsWith("meta.")) {
          user.put(property.substring(5), meta.getProperty(property));
        }
      }
    } else {
      etag = hashOf(key, file);
      computed[0] = true;
    }
    return new ObjectInfo(
        key,
        attributes.size(),
        etag,
        contentType,
        Instant.ofEpochMilli(attributes.lastModifiedTime().toMillis()),
        user);
  }

  private String hashOf(String key, Path file) {
    MessageDigest md5 = md5();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[COPY_BUFFER];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        md5.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new ObjectNotFoundException(name, key, e);
    } catch (IOException e) {
      throw failure("head", key, e);
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  private void makeParents(String key, Path target) throws IOException {
    try {
      Files.createDirectories(requireNonNull(target.getParent(), "a key's file has a parent"));
    } catch (FileAlreadyExistsException | NotDirectoryException e) {
      throw new InvalidKeyException(
          name, key, "an object's key is a directory of this key (" + e.getMessage() + ")");
    }
  }

  private static void pruneEmptyParents(@Nullable Path dir, Path stop) {
    @Nullable Path current = dir;
    while (current != null && !current.equals(stop) && current.startsWith(stop)) {
      try {
        Files.delete(current);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      } catch (IOException e) {
        return;
      }
      current = current.getParent();
    }
  }

  /** Copies {@code source} into {@code out}, hashing; stops when the thread is interrupted. */
  private static long copy(Path source, OutputStream out, MessageDigest md5) throws IOException {
    long total = 0;
    InputStream in;
    try {
      in = Files.newInputStream(source);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("the file to upload does not exist: " + source, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the file to upload: " + source, e);
    }
    try (in) {
      byte[] buffer = new byte[COPY_BUFFER];
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          if (Thread.currentThread().isInterrupted()) {
            throw new java.io.InterruptedIOException("the upload was cancelled");
          }
          // the caller's file (a directory, unreadable): not the storage's failure
          throw new UncheckedIOException("cannot read the file to upload: " + source, e);
        }
        if (n < 0) {
          return total;
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new java.io.InterruptedIOException("the upload was cancelled");
        }
        out.write(buffer, 0, n);
        md5.update(buffer, 0, n);
        total += n;
      }
    }
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
  }

  private CloudStorageException failure(String operation, String key, IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return new AccessDeniedException(name, operation, key, e);
    }
    return new StorageUnavailableException(name, operation, key, e);
  }

  private StorageUnavailableException unavailable(
      String operation, @Nullable String key, Exception e) {
    return new StorageUnavailableException(name, operation, key, e);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // best effort: the next open removes leftovers
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception ignored) {
      // nothing to do
    }
  }

  /** At most {@code limit} bytes of {@code in}. */
  private static InputStream bounded(InputStream in, long limit) {
    return new InputStream() {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = in.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private static final class FileReader implements ObjectReader {
    private final ObjectInfo info;
    private final long length;
    private final InputStream stream;
    private final FileChannel channel;

    FileReader(ObjectInfo info, long length, InputStream stream, FileChannel channel) {
      this.info = info;
      this.length = length;
      this.stream = stream;
      this.channel = channel;
    }

    @Override
    public ObjectInfo info() {
      return info;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public InputStream stream() {
      return stream;
    }

    @Override
    public void abort() {
      closeQuietly(channel);
    }

    @Override
    public void close() {
      closeQuietly(channel);
    }
  }
}
