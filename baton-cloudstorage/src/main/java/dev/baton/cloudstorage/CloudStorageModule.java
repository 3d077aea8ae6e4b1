package dev.baton.cloudstorage;

import dev.baton.boot.AppContext;
import dev.baton.cloudstorage.spi.ObjectReader;
import dev.baton.cloudstorage.spi.ObjectStorage;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The cloudstorage module (ids 160-166): each command resolves its storage among the node's {@link
 * ObjectStorages} and runs one blocking backend call on the module's executor.
 *
 * <p><b>Concurrency.</b> Handlers never block: they hand the work to a virtual thread of the
 * module's own executor (one per command) and return; the virtual thread calls the blocking {@link
 * ObjectStorage} method and completes the command. Commands run concurrently; their order is the
 * backend's. {@link #stop()} interrupts running transfers and shuts the executor down.
 *
 * <p><b>Cancellation.</b> A command nobody waits for any more (its process ended, or it was yielded
 * with a deadline that passed) is not started, or, while running, its thread is interrupted and an
 * open download is aborted on a thread of its own (the connection is closed, not drained; the
 * runtime's thread never waits for it). The backend then stops: a cancelled upload leaves no object
 * and no temporary file, a cancelled download to a file leaves no file. The command completes with
 * a {@link CancellationException}, which the runtime drops, so the yield's tag is freed.
 *
 * <p><b>Errors.</b> The typed {@link CloudStorageException}s the commands name; an unexpected
 * backend failure (an {@link IllegalArgumentException} included) becomes a {@link
 * StorageUnavailableException} with it as cause; a file to upload that is missing, a directory or
 * unreadable, or a download file that cannot be written or moved into place, is an {@link
 * UncheckedIOException} with the NIO error as cause.
 */
public final class CloudStorageModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "cloudstorage";

  private static final int COPY_BUFFER = 64 * 1024;

  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cloudstorage-", 0).factory());
  // Commands whose backend call is running (incremented when its thread starts, decremented when
  // the call has returned or thrown and its cleanup is done).
  private final AtomicInteger running = new AtomicInteger();

  /** Creates the module; it serves the storages of the node's {@link ObjectStorages} component. */
  public CloudStorageModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        CloudStorage.LIST,
        CloudStorage.DOWNLOAD,
        CloudStorage.UPLOAD,
        CloudStorage.DELETE,
        CloudStorage.PRESIGNED_GET_URL,
        CloudStorage.PRESIGNED_PUT_URL,
        CloudStorage.HEAD);
  }

  /** The module resolves storage names in the {@link ObjectStorages} component's service. */
  @Override
  public List<String> dependsOn() {
    return List.of(ObjectStorages.COMPONENT_NAME);
  }

  /**
   * How many commands have a backend call running now (for tests and metrics): a cancelled transfer
   * counts until its backend call has stopped and cleaned up.
   */
  public int runningCalls() {
    return running.get();
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    ObjectStorages storages = services.require(ObjectStorages.KEY);
    registrar.register(
        CloudStorage.LIST,
        Handler.forType(
            CloudStorage.List.class,
            (context, list, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    list.storage(),
                    "list",
                    null,
                    (storage, transfer) ->
                        storage.list(list.prefix(), list.continuationToken(), list.maxKeys()))));
    registrar.register(
        CloudStorage.HEAD,
        Handler.forType(
            CloudStorage.Head.class,
            (context, head, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    head.storage(),
                    "head",
                    head.key(),
                    (storage, transfer) -> storage.head(head.key()))));
    registrar.register(
        CloudStorage.DOWNLOAD,
        Handler.forType(
            CloudStorage.Download.class,
            (context, download, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    download.storage(),
                    "download",
                    download.key(),
                    (storage, transfer) -> download(storage, download, transfer))));
    registrar.register(
        CloudStorage.UPLOAD,
        Handler.forType(
            CloudStorage.Upload.class,
            (context, upload, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    upload.storage(),
                    "upload",
                    upload.key(),
                    (storage, transfer) -> storage.upload(upload))));
    registrar.register(
        CloudStorage.DELETE,
        Handler.forType(
            CloudStorage.Delete.class,
            (context, delete, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    delete.storage(),
                    "delete",
                    null,
                    (storage, transfer) -> storage.delete(delete.keys()))));
    registrar.register(
        CloudStorage.PRESIGNED_GET_URL,
        Handler.forType(
            CloudStorage.PresignedGetUrl.class,
            (context, get, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    get.storage(),
                    "presign GET",
                    get.key(),
                    (storage, transfer) -> storage.presignGet(get.key(), get.expiry()))));
    registrar.register(
        CloudStorage.PRESIGNED_PUT_URL,
        Handler.forType(
            CloudStorage.PresignedPutUrl.class,
            (context, put, tag, receiver) ->
                run(
                    context,
                    tag,
                    receiver,
                    storages,
                    put.storage(),
                    "presign PUT",
                    put.key(),
                    (storage, transfer) ->
                        storage.presignPut(
                            put.key(), put.expiry(), put.contentType(), put.contentLength()))));
  }

  @Override
  public void stop() throws InterruptedException {
    executor.shutdownNow();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("cloudstorage transfers did not stop within 10 s");
    }
  }

  /** The work of one command, on the module's thread. */
  @FunctionalInterface
  private interface Work {
    @Nullable Object apply(ObjectStorage storage, Transfer transfer) throws IOException;
  }

  /**
   * One running command: its thread and open reader, so cancellation can interrupt and abort them.
   * Guarded by its own monitor.
   */
  private static final class Transfer {
    private @Nullable Thread runner;
    private @Nullable ObjectReader reader;
    private boolean cancelled;

    /** Binds the current thread; false if the command was cancelled already. */
    synchronized boolean begin() {
      if (cancelled) {
        return false;
      }
      runner = Thread.currentThread();
      return true;
    }

    synchronized void end() {
      runner = null;
      reader = null;
    }

    /** Registers the open reader, aborting it at once if the command was cancelled meanwhile. */
    void opened(ObjectReader opened) {
      boolean abort;
      synchronized (this) {
        reader = opened;
        abort = cancelled;
      }
      if (abort) {
        opened.abort();
      }
    }

    void cancel() {
      Thread thread;
      ObjectReader open;
      synchronized (this) {
        cancelled = true;
        thread = runner;
        open = reader;
      }
      // Interrupt first: a virtual thread blocked on a socket gets it closed. The abort runs on a
      // thread of its own: this may be the runtime's thread, and closing an HTTP stream may block
      // (the JDK's keep-alive stream drains what is left).
      if (thread != null) {
        thread.interrupt();
      }
      if (open != null) {
        Thread.ofVirtual().name("cloudstorage-abort").start(open::abort);
      }
    }
  }

  private void run(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      ObjectStorages storages,
      String storageName,
      String operation,
      @Nullable String key,
      Work work) {
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, abandoned());
      return;
    }
    ObjectStorage storage;
    try {
      storage = storages.require(storageName);
    } catch (StorageNotFoundException e) {
      receiver.completeYield(tag, null, e);
      return;
    }
    Transfer transfer = new Transfer();
    // Runs at once if the caller went away meanwhile.
    Registration stopOnCancel = context.onCancel(transfer::cancel);
    try {
      executor.execute(
          () -> {
            @Nullable Object value = null;
            @Nullable Throwable error = null;
            if (transfer.begin()) {
              running.incrementAndGet();
              try {
                value = work.apply(storage, transfer);
              } catch (Throwable t) {
                error = t;
              } finally {
                transfer.end();
                running.decrementAndGet();
              }
            }
            stopOnCancel.remove();
            if (context.isCancelled()) {
              receiver.completeYield(tag, null, abandoned());
            } else if (error != null) {
              receiver.completeYield(tag, null, typed(error, storageName, operation, key));
            } else {
              receiver.completeYield(tag, value, null);
            }
          });
    } catch (RejectedExecutionException e) {
      stopOnCancel.remove();
      receiver.completeYield(
          tag,
          null,
          new StorageUnavailableException(
              storageName,
              operation,
              key,
              new IllegalStateException("the cloudstorage module is stopped", e)));
    }
  }

  private static Throwable typed(
      Throwable error, String storage, String operation, @Nullable String key) {
    // Arguments were checked when the command was made: an IllegalArgumentException (an
    // InvalidPathException, a NumberFormatException) from a backend is the backend failing.
    if (error instanceof CloudStorageException
        || error instanceof UncheckedIOException
        || error instanceof Error) {
      return error;
    }
    return new StorageUnavailableException(storage, operation, key, error);
  }

  /** The error a command completes with once nobody waits for it; the runtime drops it. */
  private static CancellationException abandoned() {
    return new CancellationException(
        "the cloudstorage command was abandoned: its process ended or its yield's deadline passed");
  }

  private static Downloaded download(
      ObjectStorage storage, CloudStorage.Download download, Transfer transfer) throws IOException {
    ObjectReader reader = storage.open(download.key(), download.range());
    transfer.opened(reader);
    boolean complete = false;
    try {
      long length = reader.length();
      if (length > download.maxBytes()) {
        throw new ObjectTooLargeException(
            storage.name(), download.key(), length, download.maxBytes());
      }
      Downloaded result;
      Path target = download.toFile();
      if (target == null) {
        byte[] bytes = reader.stream().readNBytes((int) length);
        if (bytes.length < length) {
          throw new EOFException(
              "the object ended after " + bytes.length + " of " + length + " bytes");
        }
        result = new Downloaded(reader.info(), length, bytes, null);
      } else {
        writeFile(reader.stream(), length, target);
        result = new Downloaded(reader.info(), length, null, target);
      }
      complete = true;
      return result;
    } finally {
      if (complete) {
        reader.close();
      } else {
        reader.abort();
      }
    }
  }

  /**
   * Writes exactly {@code length} bytes to a temporary file beside {@code target}, then moves it.
   * Reading fails with the stream's {@link IOException} (the storage's failure); writing the local
   * file fails with an {@link UncheckedIOException} (the caller's file).
   */
  private static void writeFile(InputStream in, long length, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".part");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the download file " + target, e);
    }
    boolean moved = false;
    try {
      long copied = 0;
      try (OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buffer = new byte[COPY_BUFFER];
        while (copied < length) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
          if (n < 0) {
            throw new EOFException("the object ended after " + copied + " of " + length + " bytes");
          }
          if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("the download was cancelled");
          }
          try {
            out.write(buffer, 0, n);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write the download file " + target, e);
          }
          copied += n;
        }
      }
      try {
        Files.move(
            tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot move the download into place at " + target, e);
      }
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** The module and how many backend calls it is running. */
  @Override
  public String toString() {
    return "CloudStorageModule[running=" + running.get() + "]";
  }
}
