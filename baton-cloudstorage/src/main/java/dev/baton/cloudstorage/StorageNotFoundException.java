package dev.baton.cloudstorage;

import java.util.Collection;
import java.util.List;

/** A command named a storage the node has no backend for. */
public final class StorageNotFoundException extends CloudStorageException {
  private final List<String> known;

  /**
   * @param storage the name the command gave
   * @param known the storages the node has
   */
  public StorageNotFoundException(String storage, Collection<String> known) {
    super(
        storage,
        "no storage named '"
            + storage
            + "'; the node has "
            + (known.isEmpty() ? "none" : known.stream().sorted().toList())
            + " (configure it with ObjectStorages.component(...))");
    this.known = known.stream().sorted().toList();
  }

  /** The storages the node has, sorted. */
  public List<String> known() {
    return known;
  }
}
