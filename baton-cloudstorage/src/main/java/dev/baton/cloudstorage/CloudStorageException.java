package dev.baton.cloudstorage;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the cloudstorage module's typed errors; each names the storage it happened in.
 * Immutable.
 */
public abstract class CloudStorageException extends ModuleException {
  private final String storage;

  /**
   * @param storage the storage's name
   * @param message what happened and what to do
   */
  protected CloudStorageException(String storage, String message) {
    super(message);
    this.storage = storage;
  }

  /**
   * @param storage the storage's name
   * @param message what happened and what to do
   * @param cause the backend's own error
   */
  protected CloudStorageException(String storage, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.storage = storage;
  }

  /** The storage the failure happened in. */
  public String storage() {
    return storage;
  }
}
